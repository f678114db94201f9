namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// Sign and Verify for every asymmetric key spec, byte-compatible with AWS KMS. Algorithm and
/// message type names are AWS's (SigningAlgorithmSpec, MessageType). Callers check requests at the
/// edge with <see cref="Algorithms"/>, <see cref="AcceptsMessageType"/> and
/// <see cref="RequiredMessageLength"/>; an unchecked combination throws <see cref="ArgumentException"/>.
/// Thread-safe: it holds no state.
/// </summary>
public static class Signer
{
    /// <summary>The signing algorithms AWS offers for <paramref name="keySpec"/>; empty for a spec that does not sign.</summary>
    public static IReadOnlyList<string> Algorithms(string keySpec) => SigningAlgorithm.For(KeySpec.Of(keySpec));

    /// <summary>Whether AWS accepts <paramref name="messageType"/> with <paramref name="algorithm"/> (ED25519_SHA_512: RAW only; ED25519_PH_SHA_512: DIGEST only; EXTERNAL_MU: ML-DSA only).</summary>
    public static bool AcceptsMessageType(string algorithm, string messageType) =>
        SigningAlgorithm.Of(algorithm).Kinds.Contains(SigningAlgorithm.KindOf(messageType));

    /// <summary>The exact length a DIGEST or EXTERNAL_MU message must have for <paramref name="algorithm"/>; null for RAW.</summary>
    public static int? RequiredMessageLength(string algorithm, string messageType) =>
        SigningAlgorithm.Of(algorithm).RequiredLength(SigningAlgorithm.KindOf(messageType));

    /// <summary>
    /// The signature AWS would return: DER for ECDSA and SM2DSA, PKCS#1 for RSA (PSS salt = hash
    /// length), RFC 8032 for Ed25519 and Ed25519ph, FIPS 204 for ML-DSA (hedged, so two signatures
    /// of one message differ, as they do on AWS).
    /// </summary>
    public static byte[] Sign(string keySpec, SecretBytes privateKey, string algorithm, string messageType, ReadOnlySpan<byte> message)
    {
        var (spec, signing, kind) = Check(keySpec, algorithm, messageType, message);
        return spec.Family switch
        {
            KeyFamily.Rsa or KeyFamily.Ec => DotNetSignatures.Sign(spec, privateKey, signing, kind, message),
            _ => BouncySignatures.Sign(spec, privateKey.Span, signing, kind, message),
        };
    }

    /// <summary>Whether <paramref name="signature"/> is the key's valid signature of the message; a malformed signature is just invalid.</summary>
    public static bool Verify(string keySpec, SecretBytes privateKey, string algorithm, string messageType, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var (spec, signing, kind) = Check(keySpec, algorithm, messageType, message);
        return spec.Family switch
        {
            KeyFamily.Rsa or KeyFamily.Ec => DotNetSignatures.Verify(spec, privateKey, signing, kind, message, signature),
            _ => BouncySignatures.Verify(spec, privateKey.Span, signing, kind, message, signature),
        };
    }

    private static (KeySpec Spec, SigningAlgorithm Algorithm, MessageKind Kind) Check(string keySpec, string algorithm, string messageType, ReadOnlySpan<byte> message)
    {
        var spec = KeySpec.Of(keySpec);
        var signing = SigningAlgorithm.Of(algorithm);
        var kind = SigningAlgorithm.KindOf(messageType);
        signing.CheckUse(spec, kind, message.Length);
        return (spec, signing, kind);
    }
}
