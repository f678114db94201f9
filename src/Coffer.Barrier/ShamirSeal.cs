using Coffer.Crypto;

namespace Coffer.Barrier;

/// <summary>
/// The <c>shamir</c> seal: the root key exists only while T of N operators' shares are combined
/// in memory. The shares' text and fingerprints are <see cref="ShareText"/>'s.
/// </summary>
public sealed class ShamirSeal : ISeal
{
    public const int RootKeySize = RootKeyWrap.KeySize;
    private readonly SecretBytes _rootKey;

    public ShamirSeal(SecretBytes rootKey) => _rootKey = rootKey;

    public string Kind => "shamir";

    /// <summary>A new root key and its shares (the caller prints them once and disposes everything).</summary>
    public static (ShamirSeal Seal, IReadOnlyList<Shamir.Share> Shares) Create(int shares, int threshold)
    {
        var rootKey = SecretBytes.Random(RootKeySize);
        return (new ShamirSeal(rootKey), Shamir.Split(rootKey, shares, threshold));
    }

    /// <summary>The seal the shares rebuild; the caller checked they are distinct, enough and this deployment's.</summary>
    public static ShamirSeal Combine(IReadOnlyList<Shamir.Share> shares)
    {
        using var rootKey = Shamir.Combine(shares);
        return new ShamirSeal(SecretBytes.CopyOf(rootKey.Span));
    }

    public byte[] WrapDomainKey(SecretBytes domainKey) => RootKeyWrap.Wrap(_rootKey, domainKey);

    public SecretBytes UnwrapDomainKey(ReadOnlySpan<byte> wrapped) => RootKeyInMemory.Unwrap(_rootKey, wrapped, "The shares do not rebuild this deployment's root key.");

    public void Dispose() => _rootKey.Dispose();
}
