namespace Coffer.Crypto;

/// <summary>
/// How seals that hold the root key in memory (dev, Shamir) wrap the domain key: AES-256-GCM under
/// the root key with a fixed AAD. The HSM seal does the same inside the device.
/// </summary>
internal static class RootKeyWrap
{
    public const int KeySize = 32;
    public static readonly byte[] Aad = "coffer:domain-key:v1"u8.ToArray();

    public static byte[] Wrap(SecretBytes rootKey, SecretBytes domainKey)
    {
        var wrapped = new byte[domainKey.Length + AesGcmBox.Overhead];
        AesGcmBox.Seal(rootKey.Span, domainKey.Span, Aad, wrapped);
        return wrapped;
    }

    public static SecretBytes Unwrap(SecretBytes rootKey, ReadOnlySpan<byte> wrapped, string wrongKeyMessage)
    {
        if (wrapped.Length != KeySize + AesGcmBox.Overhead)
        {
            throw new SealException("The wrapped domain key has the wrong length.");
        }

        var domainKey = SecretBytes.Allocate(KeySize);
        if (!AesGcmBox.TryOpen(rootKey.Span, wrapped, Aad, domainKey.Writable))
        {
            domainKey.Dispose();
            throw new SealException(wrongKeyMessage);
        }

        return domainKey;
    }
}
