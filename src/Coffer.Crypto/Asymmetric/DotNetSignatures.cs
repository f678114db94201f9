using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>RSA and ECDSA signatures with .NET's (OpenSSL's) implementations.</summary>
internal static class DotNetSignatures
{
    public static byte[] Sign(KeySpec spec, SecretBytes privateKey, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message)
    {
        if (spec.Family == KeyFamily.Rsa)
        {
            using var lease = Rsa(spec, privateKey);
            var rsa = lease.Key;
            var padding = RsaPadding(algorithm);
            return kind == MessageKind.Digest
                ? rsa.SignHash(message, algorithm.Hash, padding)
                : rsa.SignData(message, algorithm.Hash, padding);
        }

        using var ecLease = Ecdsa(spec, privateKey);
        var ecdsa = ecLease.Key;

        // AWS returns ECDSA signatures DER-encoded (RFC 3279 Ecdsa-Sig-Value), not as r || s.
        return kind == MessageKind.Digest
            ? ecdsa.SignHash(message, DSASignatureFormat.Rfc3279DerSequence)
            : ecdsa.SignData(message, algorithm.Hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    public static bool Verify(KeySpec spec, SecretBytes privateKey, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (spec.Family == KeyFamily.Rsa)
        {
            using var lease = Rsa(spec, privateKey);
            var rsa = lease.Key;
            var padding = RsaPadding(algorithm);
            return kind == MessageKind.Digest
                ? rsa.VerifyHash(message, signature, algorithm.Hash, padding)
                : rsa.VerifyData(message, signature, algorithm.Hash, padding);
        }

        using var ecLease = Ecdsa(spec, privateKey);
        var ecdsa = ecLease.Key;
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

    // Loaded once per key material and kept beside it (a secret's one companion is of one kind: a
    // private key is RSA or EC for good).
    private static LoadedKeyPool<RSA>.Lease Rsa(KeySpec spec, SecretBytes privateKey) =>
        privateKey.Companion(secret => new LoadedKeyPool<RSA>(secret, s => DotNetKeys.LoadRsa(spec, s.Span))).Rent();

    private static LoadedKeyPool<ECDsa>.Lease Ecdsa(KeySpec spec, SecretBytes privateKey) =>
        privateKey.Companion(secret => new LoadedKeyPool<ECDsa>(secret, s => DotNetKeys.LoadEcdsa(spec, s.Span))).Rent();

    // .NET's PSS salt is as long as the hash, which is what AWS uses (Developer Guide, "Key spec
    // reference": RSASSA-PSS with MGF1 and a salt of the digest's length).
    private static RSASignaturePadding RsaPadding(SigningAlgorithm algorithm) =>
        algorithm.Name.StartsWith("RSASSA_PSS_", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
}
