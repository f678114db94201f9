using Coffer.Crypto;

namespace Coffer.Barrier;

/// <summary>What the seals that hold their root key in memory (dev, Shamir) share: unwrapping with a clear reason on failure.</summary>
internal static class RootKeyInMemory
{
    /// <summary>Throws <see cref="SealException"/> with <paramref name="wrongKeyMessage"/> when another root key wrapped the blob.</summary>
    public static SecretBytes Unwrap(SecretBytes rootKey, ReadOnlySpan<byte> wrapped, string wrongKeyMessage)
    {
        if (wrapped.Length != RootKeyWrap.WrappedSize)
        {
            throw new SealException("The wrapped domain key has the wrong length.");
        }

        return RootKeyWrap.TryUnwrap(rootKey, wrapped) ?? throw new SealException(wrongKeyMessage);
    }
}
