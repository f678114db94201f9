namespace Coffer.Crypto;

/// <summary>
/// How a root key held in memory (the dev and Shamir seals) wraps the domain key: AES-256-GCM
/// under the root key with a fixed AAD. An HSM does the same inside the device with <see cref="Aad"/>.
/// </summary>
public static class RootKeyWrap
{
    public const int KeySize = 32;
    public const int WrappedSize = KeySize + AesGcmBox.Overhead;

    /// <summary>The AAD of every wrapped domain key, whoever wraps it.</summary>
    public static ReadOnlySpan<byte> Aad => "coffer:domain-key:v1"u8;

    public static byte[] Wrap(SecretBytes rootKey, SecretBytes domainKey)
    {
        var wrapped = new byte[domainKey.Length + AesGcmBox.Overhead];
        AesGcmBox.Seal(rootKey.Span, domainKey.Span, Aad, wrapped);
        return wrapped;
    }

    /// <summary>The domain key, or null when the blob has the wrong length or was not wrapped by this root key.</summary>
    public static SecretBytes? TryUnwrap(SecretBytes rootKey, ReadOnlySpan<byte> wrapped)
    {
        if (wrapped.Length != WrappedSize)
        {
            return null;
        }

        var domainKey = SecretBytes.Allocate(KeySize);
        if (!AesGcmBox.TryOpen(rootKey.Span, wrapped, Aad, domainKey.Writable))
        {
            domainKey.Dispose();
            return null;
        }

        return domainKey;
    }
}
