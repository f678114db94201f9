using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>
/// AES-256-GCM with a random 96-bit nonce: <c>nonce ‖ ciphertext ‖ tag</c>. Used for records
/// at rest and for wrapping the domain key, where each key seals few enough messages that random
/// nonces stay far below the 2^32 limit NIST sets for them.
/// </summary>
public static class AesGcmBox
{
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;

    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> aad, Span<byte> destination)
    {
        var nonce = destination[..NonceSize];
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(key, TagSize);
        gcm.Encrypt(nonce, plaintext, destination.Slice(NonceSize, plaintext.Length), destination.Slice(NonceSize + plaintext.Length, TagSize), aad);
    }

    /// <summary>Returns false when the box was altered or sealed under another key or AAD.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> box, ReadOnlySpan<byte> aad, Span<byte> plaintext)
    {
        if (box.Length < Overhead || plaintext.Length != box.Length - Overhead)
        {
            return false;
        }

        using var gcm = new AesGcm(key, TagSize);
        try
        {
            gcm.Decrypt(box[..NonceSize], box[NonceSize..^TagSize], box[^TagSize..], plaintext, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }
}
