using System.Formats.Asn1;
using System.Numerics;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Math.EC;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// What blockchain users of KMS signers rely on: a secp256k1 key signs the Keccak hash of an
/// Ethereum transaction, and the signature recovers to the address derived from GetPublicKey.
/// Recovery and Keccak come from BouncyCastle, a library Coffer does not sign secp256k1 with.
/// </summary>
public sealed class EthereumSigningTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_secp256k1_key_signs_an_Ethereum_transaction_that_recovers_to_its_address()
    {
        var kms = fixture.Server.Kms();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "ECC_SECG_P256K1", KeyUsage = "SIGN_VERIFY" })).KeyMetadata.KeyId;
        var spki = (await kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = keyId })).PublicKey.ToArray();
        var point = spki[^65..];
        Assert.Equal(0x04, point[0]);
        var address = Keccak256(point[1..])[12..];

        // EIP-155's own example transaction: nonce 9, 20 gwei, 21000 gas, to 0x3535…35, 1 ether, chain id 1.
        var unsigned = Rlp.List(Rlp.Integer(9), Rlp.Integer(20_000_000_000), Rlp.Integer(21_000), Rlp.Bytes(Convert.FromHexString("3535353535353535353535353535353535353535")),
            Rlp.Integer(1_000_000_000_000_000_000), Rlp.Bytes([]), Rlp.Integer(1), Rlp.Integer(0), Rlp.Integer(0));
        Assert.Equal("ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080", Convert.ToHexStringLower(unsigned));
        var hash = Keccak256(unsigned);
        Assert.Equal("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", Convert.ToHexStringLower(hash));

        var signature = (await kms.SignAsync(new SignRequest
        {
            KeyId = keyId, Message = new MemoryStream(hash), MessageType = "DIGEST", SigningAlgorithm = "ECDSA_SHA_256",
        })).Signature.ToArray();
        var (r, s) = ReadDer(signature);
        var curve = SecNamedCurves.GetByName("secp256k1");
        if (s.CompareTo(curve.N.ShiftRight(1)) > 0)
        {
            // Ethereum accepts only the low-s form; KMS, like any ECDSA signer, may give either.
            s = curve.N.Subtract(s);
        }

        var recovered = new[] { 0, 1 }.Select(v => Recover(curve, hash, r, s, v)).Where(q => q is not null).Select(q => Keccak256(q![1..])[12..]).ToList();
        Assert.Contains(recovered, candidate => candidate.AsSpan().SequenceEqual(address));
    }

    private static byte[] Keccak256(byte[] data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data, 0, data.Length);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return output;
    }

    private static (Org.BouncyCastle.Math.BigInteger R, Org.BouncyCastle.Math.BigInteger S) ReadDer(byte[] signature)
    {
        var sequence = new AsnReader(signature, AsnEncodingRules.DER).ReadSequence();
        var r = sequence.ReadIntegerBytes().ToArray();
        var s = sequence.ReadIntegerBytes().ToArray();
        return (new Org.BouncyCastle.Math.BigInteger(1, r), new Org.BouncyCastle.Math.BigInteger(1, s));
    }

    /// <summary>The public key (uncompressed) that makes (r, s) a signature of <paramref name="hash"/>, for recovery id <paramref name="v"/>; null when none.</summary>
    private static byte[]? Recover(Org.BouncyCastle.Asn1.X9.X9ECParameters curve, byte[] hash, Org.BouncyCastle.Math.BigInteger r, Org.BouncyCastle.Math.BigInteger s, int v)
    {
        var x = r.ToByteArrayUnsigned();
        var encoded = new byte[33];
        encoded[0] = (byte)(0x02 + v);
        x.CopyTo(encoded, 33 - x.Length);
        ECPoint point;
        try
        {
            point = curve.Curve.DecodePoint(encoded);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var n = curve.N;
        var rInverse = r.ModInverse(n);
        var e = new Org.BouncyCastle.Math.BigInteger(1, hash);
        var q = ECAlgorithms.SumOfTwoMultiplies(point, s.Multiply(rInverse).Mod(n), curve.G, e.Negate().Multiply(rInverse).Mod(n)).Normalize();
        return q.GetEncoded(false);
    }

    /// <summary>Ethereum's recursive length prefix, for the few shapes a legacy transaction needs.</summary>
    private static class Rlp
    {
        public static byte[] Integer(BigInteger value) =>
            Bytes(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));

        public static byte[] Bytes(byte[] value) =>
            value is [< 0x80] ? value : [.. Prefix(0x80, value.Length), .. value];

        public static byte[] List(params byte[][] items)
        {
            byte[] payload = [.. items.SelectMany(i => i)];
            return [.. Prefix(0xc0, payload.Length), .. payload];
        }

        private static byte[] Prefix(int offset, int length)
        {
            if (length <= 55)
            {
                return [(byte)(offset + length)];
            }

            var size = new BigInteger(length).ToByteArray(isUnsigned: true, isBigEndian: true);
            return [(byte)(offset + 55 + size.Length), .. size];
        }
    }
}
