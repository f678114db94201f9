using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>RSA and ECDSA signatures with .NET's (OpenSSL's) implementations.</summary>
internal static class DotNetSignatures
{
    public static byte[] Sign(KeySpec spec, ReadOnlySpan<byte> pkcs8, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message)
    {
        if (spec.Family == KeyFamily.Rsa)
        {
            using var rsa = DotNetKeys.LoadRsa(spec, pkcs8);
            var padding = RsaPadding(algorithm);
            return kind == MessageKind.Digest
                ? rsa.SignHash(message, algorithm.Hash, padding)
                : rsa.SignData(message, algorithm.Hash, padding);
        }

        using var ecdsa = DotNetKeys.LoadEcdsa(spec, pkcs8);

        // AWS returns ECDSA signatures DER-encoded (RFC 3279 Ecdsa-Sig-Value), not as r || s.
        return kind == MessageKind.Digest
            ? ecdsa.SignHash(message, DSASignatureFormat.Rfc3279DerSequence)
            : ecdsa.SignData(message, algorithm.Hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    public static bool Verify(KeySpec spec, ReadOnlySpan<byte> pkcs8, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (spec.Family == KeyFamily.Rsa)
        {
            using var rsa = DotNetKeys.LoadRsa(spec, pkcs8);
            var padding = RsaPadding(algorithm);
            return kind == MessageKind.Digest
                ? rsa.VerifyHash(message, signature, algorithm.Hash, padding)
                : rsa.VerifyData(message, signature, algorithm.Hash, padding);
        }

        using var ecdsa = DotNetKeys.LoadEcdsa(spec, pkcs8);
        try
        {
            return kind == MessageKind.Digest
                ? ecdsa.VerifyHash(message, signature, DSASignatureFormat.Rfc3279DerSequence)
                : ecdsa.VerifyData(message, signature, algorithm.Hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            // A signature that is not even well-formed DER is just a signature that does not verify.
            return false;
        }
    }

    // .NET's PSS salt is as long as the hash, which is what AWS uses (Developer Guide, "Key spec
    // reference": RSASSA-PSS with MGF1 and a salt of the digest's length).
    private static RSASignaturePadding RsaPadding(SigningAlgorithm algorithm) =>
        algorithm.Name.StartsWith("RSASSA_PSS_", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
}
