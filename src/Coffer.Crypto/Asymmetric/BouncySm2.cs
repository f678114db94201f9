using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// SM2PKE (GM/T 0003.4) and ECDH on the SM2 curve. AWS's SM2PKE ciphertext is the ASN.1 form of
/// GM/T 0009: SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING (C3), ciphertext OCTET STRING (C2) },
/// which OpenSSL also writes (Developer Guide, "SM2OfflineOperationHelper"); its plaintext limit is
/// 1024 bytes (API reference, Encrypt).
/// </summary>
internal static class BouncySm2
{
    public const int MaxPlaintextBytes = 1024;

    private const int CoordinateBytes = 32;
    private const int Sm3Bytes = 32;

    public static byte[] Encrypt(ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> plaintext)
    {
        var spec = KeySpec.Of("SM2");
        var engine = new SM2Engine(new SM3Digest(), SM2Engine.Mode.C1C3C2);
        engine.Init(true, new ParametersWithRandom(BouncyKeys.PublicOf(BouncyKeys.LoadPrivate(spec, pkcs8)), BouncyKeys.SecureRandom));
        var raw = engine.ProcessBlock(plaintext.ToArray(), 0, plaintext.Length);

        // raw = C1 (04 ‖ x ‖ y) ‖ C3 ‖ C2
        var c3Start = 1 + 2 * CoordinateBytes;
        return new DerSequence(
            new DerInteger(new BigInteger(1, raw, 1, CoordinateBytes)),
            new DerInteger(new BigInteger(1, raw, 1 + CoordinateBytes, CoordinateBytes)),
            new DerOctetString(raw.AsSpan(c3Start, Sm3Bytes).ToArray()),
            new DerOctetString(raw.AsSpan(c3Start + Sm3Bytes).ToArray())).GetDerEncoded();
    }

    public static SecretBytes? Decrypt(ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> ciphertext)
    {
        var spec = KeySpec.Of("SM2");
        var privateKey = BouncyKeys.LoadPrivate(spec, pkcs8);
        byte[] raw;
        try
        {
            var der = ciphertext.ToArray();
            // GetInstance answers null for no input at all.
            var parts = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
            if (parts is null || parts.Count != 4 || parts.GetDerEncoded().Length != der.Length)
            {
                return null;
            }

            var x = DerInteger.GetInstance(parts[0]).PositiveValue;
            var y = DerInteger.GetInstance(parts[1]).PositiveValue;
            var c3 = Asn1OctetString.GetInstance(parts[2]).GetOctets();
            var c2 = Asn1OctetString.GetInstance(parts[3]).GetOctets();
            if (c3.Length != Sm3Bytes || x.BitLength > 8 * CoordinateBytes || y.BitLength > 8 * CoordinateBytes)
            {
                return null;
            }

            raw = Arrays.ConcatenateAll([0x04], BigIntegers.AsUnsignedByteArray(CoordinateBytes, x), BigIntegers.AsUnsignedByteArray(CoordinateBytes, y), c3, c2);
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or InvalidOperationException)
        {
            return null;
        }

        var engine = new SM2Engine(new SM3Digest(), SM2Engine.Mode.C1C3C2);
        engine.Init(false, privateKey);
        byte[] plaintext;
        try
        {
            plaintext = engine.ProcessBlock(raw, 0, raw.Length);
        }
        catch (Exception e) when (e is InvalidCipherTextException or ArgumentException)
        {
            // C1 off the curve, or C3 does not match: not a ciphertext of this key.
            return null;
        }

        try
        {
            return SecretBytes.CopyOf(plaintext);
        }
        finally
        {
            SecretBytes.Zero(plaintext);
        }
    }

    /// <summary>The x coordinate of d·Q for the peer's point Q on the SM2 curve.</summary>
    public static SecretBytes Derive(ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> peerSpki)
    {
        var spec = KeySpec.Of("SM2");
        var own = (ECPrivateKeyParameters)BouncyKeys.LoadPrivate(spec, pkcs8);
        ECPublicKeyParameters peer;
        try
        {
            peer = (ECPublicKeyParameters)BouncyKeys.LoadPublic(spec, peerSpki);
        }
        catch (CryptographicException e)
        {
            throw new InvalidPeerKeyException("The public key is not a valid SM2 public key.", e);
        }

        var agreement = new ECDHBasicAgreement();
        agreement.Init(own);
        var secret = BigIntegers.AsUnsignedByteArray(CoordinateBytes, agreement.CalculateAgreement(peer));
        try
        {
            return SecretBytes.CopyOf(secret);
        }
        finally
        {
            SecretBytes.Zero(secret);
        }
    }
}
