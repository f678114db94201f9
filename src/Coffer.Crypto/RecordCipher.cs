using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto;

/// <summary>
/// The format of a secret record at rest, encrypted under one version of the domain key:
/// <c>format(1) ‖ domain key version (4, big-endian) ‖ nonce(12) ‖ ciphertext ‖ tag(16)</c>;
/// the AAD is the first five bytes followed by the UTF-8 record id, so a record moved to another
/// id, or any changed byte, fails to decrypt. Which key versions exist is the barrier's business.
/// </summary>
public static class RecordCipher
{
    private const byte FormatV1 = 1;
    private const int HeaderSize = 5;

    /// <summary>The domain key version a record was made with, or null for a blob that is not a record.</summary>
    public static uint? VersionOf(ReadOnlySpan<byte> blob) =>
        blob.Length >= HeaderSize && blob[0] == FormatV1 ? BinaryPrimitives.ReadUInt32BigEndian(blob.Slice(1, 4)) : null;

    public static byte[] Encrypt(SecretBytes key, uint keyVersion, string recordId, ReadOnlySpan<byte> plaintext)
    {
        var blob = new byte[HeaderSize + AesGcmBox.Overhead + plaintext.Length];
        blob[0] = FormatV1;
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(1, 4), keyVersion);
        var aad = BuildAad(blob.AsSpan(0, HeaderSize), recordId);
        AesGcmBox.Seal(key.Span, plaintext, aad, blob.AsSpan(HeaderSize));
        return blob;
    }

    /// <summary>
    /// Decrypts a record with the key of the version it names, from <paramref name="keys"/>. Throws
    /// <see cref="CryptographicException"/> when the record was altered or moved, or names a format
    /// or key version not there.
    /// </summary>
    public static SecretBytes Decrypt(IReadOnlyDictionary<uint, SecretBytes> keys, string recordId, byte[] blob) =>
        TryDecrypt(keys, recordId, blob, out var problem) ?? throw new CryptographicException(problem);

    /// <summary>The record's plaintext, or null (and why) when it is not a record of this id under these keys.</summary>
    public static SecretBytes? TryDecrypt(IReadOnlyDictionary<uint, SecretBytes> keys, string recordId, byte[] blob, out string problem)
    {
        if (blob.Length < HeaderSize + AesGcmBox.Overhead || VersionOf(blob) is not { } version || !keys.TryGetValue(version, out var key))
        {
            problem = $"Stored record {recordId} has an unknown format or domain key version.";
            return null;
        }

        var aad = BuildAad(blob.AsSpan(0, HeaderSize), recordId);
        var plaintext = SecretBytes.Allocate(blob.Length - HeaderSize - AesGcmBox.Overhead);
        if (!AesGcmBox.TryOpen(key.Span, blob.AsSpan(HeaderSize), aad, plaintext.Writable))
        {
            plaintext.Dispose();
            problem = $"Stored record {recordId} failed its integrity check.";
            return null;
        }

        problem = "";
        return plaintext;
    }

    private static byte[] BuildAad(ReadOnlySpan<byte> header, string recordId)
    {
        var aad = new byte[header.Length + Encoding.UTF8.GetByteCount(recordId)];
        header.CopyTo(aad);
        Encoding.UTF8.GetBytes(recordId, aad.AsSpan(header.Length));
        return aad;
    }
}
