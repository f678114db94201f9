using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>
/// The <c>shamir</c> seal: the root key exists only while T of N operators' shares are combined
/// in memory. Shares are encoded <c>coffer-share-v1:</c> + base64url(x ‖ y ‖ 4-byte checksum), so a
/// mistyped share is told apart from a wrong one; the store keeps only a SHA-256 of each share,
/// which lets a wrong share be refused at once and reveals nothing of the root key.
/// </summary>
public sealed class ShamirSeal : ISeal
{
    public const int RootKeySize = 32;
    private static ReadOnlySpan<byte> PrefixBytes => "coffer-share-v1:"u8;
    private readonly SecretBytes _rootKey;

    public ShamirSeal(SecretBytes rootKey) => _rootKey = rootKey;

    public string Kind => "shamir";

    /// <summary>A new root key and its shares (the caller prints them once and disposes everything).</summary>
    public static (ShamirSeal Seal, IReadOnlyList<Shamir.Share> Shares) Create(int shares, int threshold)
    {
        var rootKey = SecretBytes.Random(RootKeySize);
        return (new ShamirSeal(rootKey), Shamir.Split(rootKey, shares, threshold));
    }

    /// <summary>
    /// A share's text, as ASCII bytes in a pinned buffer the caller disposes (zeroes): a share is
    /// never made a string, which could be neither zeroed nor kept from being copied by the GC.
    /// </summary>
    public static SecretBytes Encode(Shamir.Share share)
    {
        var raw = GC.AllocateArray<byte>(1 + share.Y.Length + 4, pinned: true);
        try
        {
            raw[0] = share.X;
            share.Y.Span.CopyTo(raw.AsSpan(1));
            SHA256.HashData(raw.AsSpan(0, 1 + share.Y.Length)).AsSpan(0, 4).CopyTo(raw.AsSpan(1 + share.Y.Length));
            var text = SecretBytes.Allocate(PrefixBytes.Length + Base64Url.GetEncodedLength(raw.Length));
            PrefixBytes.CopyTo(text.Writable);
            Base64Url.EncodeToUtf8(raw, text.Writable[PrefixBytes.Length..]);
            return text;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>Reads a share's text (ASCII bytes); null when it is not a well-formed share (typo, truncation).</summary>
    public static Shamir.Share? Decode(ReadOnlySpan<byte> text)
    {
        text = text.Trim(" \t\r\n"u8);
        if (!text.StartsWith(PrefixBytes))
        {
            return null;
        }

        var raw = GC.AllocateArray<byte>(1 + RootKeySize + 4, pinned: true);
        try
        {
            // A longer body does not fit (DestinationTooSmall) and a shorter one leaves raw short: both are refused.
            if (Base64Url.DecodeFromUtf8(text[PrefixBytes.Length..], raw, out _, out var written) != OperationStatus.Done
                || written != raw.Length || raw[0] == 0
                || !SecretComparer.FixedTimeEquals(SHA256.HashData(raw.AsSpan(0, 1 + RootKeySize)).AsSpan(0, 4), raw.AsSpan(1 + RootKeySize)))
            {
                return null;
            }

            return new Shamir.Share(raw[0], SecretBytes.CopyOf(raw.AsSpan(1, RootKeySize)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>The stored fingerprint of a share: SHA-256 over x ‖ y.</summary>
    public static byte[] Fingerprint(Shamir.Share share)
    {
        var raw = GC.AllocateArray<byte>(1 + share.Y.Length, pinned: true);
        try
        {
            raw[0] = share.X;
            share.Y.Span.CopyTo(raw.AsSpan(1));
            return SHA256.HashData(raw);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    public byte[] WrapDomainKey(SecretBytes domainKey) => RootKeyWrap.Wrap(_rootKey, domainKey);

    public SecretBytes UnwrapDomainKey(ReadOnlySpan<byte> wrapped) => RootKeyWrap.Unwrap(_rootKey, wrapped, "The shares do not rebuild this deployment's root key.");

    public void Dispose() => _rootKey.Dispose();
}
