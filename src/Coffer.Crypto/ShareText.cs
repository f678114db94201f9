using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>
/// The text of a Shamir share of a 256-bit root key: <c>coffer-share-v1:</c> + base64url(x ‖ y ‖
/// 4-byte checksum), so a mistyped share is told apart from a wrong one; and its fingerprint,
/// SHA-256 over x ‖ y, which the store keeps so that a wrong share can be refused at once while
/// revealing nothing of the root key. A share is never made a string, which could be neither
/// zeroed nor kept from being copied by the GC.
/// </summary>
public static class ShareText
{
    /// <summary>The length of a share's y, the length of the root key it is a share of.</summary>
    public const int SecretSize = 32;

    /// <summary>The length of a fingerprint.</summary>
    public const int FingerprintSize = 32;

    private static ReadOnlySpan<byte> PrefixBytes => "coffer-share-v1:"u8;

    /// <summary>A share's text, as ASCII bytes in a pinned buffer the caller disposes (zeroes).</summary>
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

        var raw = GC.AllocateArray<byte>(1 + SecretSize + 4, pinned: true);
        try
        {
            // A longer body does not fit (DestinationTooSmall) and a shorter one leaves raw short: both are refused.
            if (Base64Url.DecodeFromUtf8(text[PrefixBytes.Length..], raw, out _, out var written) != OperationStatus.Done
                || written != raw.Length || raw[0] == 0
                || !SecretComparer.FixedTimeEquals(SHA256.HashData(raw.AsSpan(0, 1 + SecretSize)).AsSpan(0, 4), raw.AsSpan(1 + SecretSize)))
            {
                return null;
            }

            return new Shamir.Share(raw[0], SecretBytes.CopyOf(raw.AsSpan(1, SecretSize)));
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

    /// <summary>
    /// Whether <paramref name="share"/> is the one whose fingerprint stands at its place (x − 1) in
    /// <paramref name="fingerprints"/>, compared in constant time.
    /// </summary>
    public static bool MatchesFingerprint(Shamir.Share share, ReadOnlySpan<byte> fingerprints)
    {
        var index = share.X - 1;
        return index < fingerprints.Length / FingerprintSize
            && SecretComparer.FixedTimeEquals(Fingerprint(share), fingerprints.Slice(index * FingerprintSize, FingerprintSize));
    }
}
