using System.Reflection;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace Coffer.Crypto.Asymmetric;

/// <summary>Ed25519, Ed25519ph, ML-DSA and SM2DSA signatures through BouncyCastle.</summary>
internal static class BouncySignatures
{
    public static byte[] Sign(KeySpec spec, ReadOnlySpan<byte> pkcs8, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message)
    {
        var privateKey = BouncyKeys.LoadPrivate(spec, pkcs8);
        var signer = SignerFor(spec, algorithm, kind, message, deterministic: false);
        signer.Init(true, spec.Family == KeyFamily.Ed25519 ? privateKey : new ParametersWithRandom(privateKey, BouncyKeys.SecureRandom));
        Feed(signer, kind, message);
        return signer.GenerateSignature();
    }

    public static bool Verify(KeySpec spec, ReadOnlySpan<byte> pkcs8, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var publicKey = BouncyKeys.PublicOf(BouncyKeys.LoadPrivate(spec, pkcs8));
        var signer = SignerFor(spec, algorithm, kind, message, deterministic: false);
        signer.Init(false, publicKey);
        Feed(signer, kind, message);
        try
        {
            return signer.VerifySignature(signature.ToArray());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            // A signature that is not even well-formed (bad DER, wrong length) is just one that does not verify.
            return false;
        }
    }

    /// <summary>ML-DSA with FIPS 204's deterministic variant (rnd = 0³²), for replaying NIST's known answers.</summary>
    internal static byte[] SignMlDsaDeterministically(KeySpec spec, ReadOnlySpan<byte> pkcs8, MessageKind kind, ReadOnlySpan<byte> message)
    {
        var signer = SignerFor(spec, SigningAlgorithm.Of("ML_DSA_SHAKE_256"), kind, message, deterministic: true);
        signer.Init(true, BouncyKeys.LoadPrivate(spec, pkcs8));
        Feed(signer, kind, message);
        return signer.GenerateSignature();
    }

    private static ISigner SignerFor(KeySpec spec, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message, bool deterministic) => spec.Family switch
    {
        // Ed25519ph with an empty context hashes what it is given with SHA-512 first: with AWS's
        // DIGEST message that is the second hash AWS documents (Sign.MessageType, FIPS 186-5 7.8.1).
        KeyFamily.Ed25519 => algorithm.Name == "ED25519_PH_SHA_512" ? new Ed25519phSigner([]) : new Ed25519Signer(),
        KeyFamily.MlDsa => kind == MessageKind.ExternalMu ? MlDsaWithMu(spec, message.ToArray(), deterministic) : new MLDsaSigner(BouncyKeys.MlDsaParameters(spec), deterministic),
        KeyFamily.Sm2 => kind == MessageKind.Digest ? new Sm2DigestSigner(message.ToArray()) : new SM2Signer(),
        _ => throw new ArgumentException($"{spec.Name} keys are not signed with BouncyCastle."),
    };

    // A precomputed message representative (μ) or SM2 digest (e) replaces the hashing inside the
    // signer, so no message bytes go in after it.
    private static void Feed(ISigner signer, MessageKind kind, ReadOnlySpan<byte> message)
    {
        if (kind == MessageKind.Raw || signer is Ed25519phSigner)
        {
            signer.BlockUpdate(message);
        }
    }

    private static readonly FieldInfo? MuDigestField = typeof(MLDsaSigner).GetField("m_msgRepDigest", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>
    /// An ML-DSA signer that signs (or verifies) the given 64-byte μ instead of computing
    /// μ = SHAKE256(tr ‖ 0 ‖ 0 ‖ M) itself, which is what AWS's EXTERNAL_MU means (FIPS 204,
    /// Algorithm 7 line 6 skipped). BouncyCastle 2.7.0 has no public entry point for this and .NET 10's
    /// MLDsa.SignMu needs OpenSSL 3.5, which Debian 12 lacks; so the signer's internal μ digest is
    /// swapped for one whose first output is the given μ. The NIST known-answer tests in
    /// Coffer.Crypto.Tests pin this down for the pinned BouncyCastle version.
    /// </summary>
    private static MLDsaSigner MlDsaWithMu(KeySpec spec, byte[] mu, bool deterministic)
    {
        var signer = new MLDsaSigner(BouncyKeys.MlDsaParameters(spec), deterministic);
        if (MuDigestField is null)
        {
            throw new InvalidOperationException("This BouncyCastle version has no μ digest to replace; EXTERNAL_MU needs a new way in.");
        }

        MuDigestField.SetValue(signer, new GivenMu(mu));
        return signer;
    }

    /// <summary>SHAKE256 whose first 64-byte output is a given μ; everything after is plain SHAKE256.</summary>
    private sealed class GivenMu(byte[] mu) : ShakeDigest(256)
    {
        private byte[]? _mu = mu;

        public override int OutputFinal(byte[] output, int outOff, int outLen)
        {
            if (_mu is { } given && outLen == given.Length)
            {
                _mu = null;
                given.CopyTo(output, outOff);
                Reset();
                return outLen;
            }

            return base.OutputFinal(output, outOff, outLen);
        }
    }

    /// <summary>
    /// SM2DSA over a caller-computed digest e = SM3(Z_A ‖ M): AWS's DIGEST message type for SM2, which
    /// skips the Z_A and message hashing (Developer Guide, "Offline verification with SM2 key pairs").
    /// SM2Signer's CalculateE is its extension point for where e comes from.
    /// </summary>
    private sealed class Sm2DigestSigner(byte[] e) : SM2Signer
    {
        protected override BigInteger CalculateE(BigInteger n, byte[] message) => new(1, e);
    }
}
