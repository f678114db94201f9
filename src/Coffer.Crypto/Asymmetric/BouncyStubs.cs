namespace Coffer.Crypto.Asymmetric;

// Ed25519, ML-DSA and SM2 come next; until then their specs fail loudly rather than half-work.
internal static class BouncyKeys
{
    public static SecretBytes Generate(KeySpec spec) => throw NotYet(spec.Name);

    public static byte[] PublicKey(KeySpec spec, ReadOnlySpan<byte> pkcs8) => throw NotYet(spec.Name);

    public static bool IsPrivateKeyOf(KeySpec spec, ReadOnlySpan<byte> pkcs8) => throw NotYet(spec.Name);

    public static bool IsPublicKeyOf(KeySpec spec, ReadOnlySpan<byte> spki) => throw NotYet(spec.Name);

    internal static NotSupportedException NotYet(string what) => new($"{what} is not implemented yet.");
}

internal static class BouncySignatures
{
    public static byte[] Sign(KeySpec spec, ReadOnlySpan<byte> pkcs8, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message) => throw BouncyKeys.NotYet(spec.Name);

    public static bool Verify(KeySpec spec, ReadOnlySpan<byte> pkcs8, SigningAlgorithm algorithm, MessageKind kind, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => throw BouncyKeys.NotYet(spec.Name);
}

internal static class BouncyEncryption
{
    public const int Sm2MaxPlaintextBytes = 0;

    public static byte[] Sm2Encrypt(ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> plaintext) => throw BouncyKeys.NotYet("SM2");

    public static SecretBytes? Sm2Decrypt(ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> ciphertext) => throw BouncyKeys.NotYet("SM2");
}

internal static class BouncyKeyAgreement
{
    public static SecretBytes Sm2Derive(ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> peer) => throw BouncyKeys.NotYet("SM2");
}
