using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto;

/// <summary>
/// Encrypts every secret record before it reaches storage, under the domain key, and checks it
/// on the way back. Storage is untrusted: a record moved to another id, or any changed byte,
/// fails to open.
/// Layout: <c>format(1) ‖ domain key version (4, big-endian) ‖ nonce(12) ‖ ciphertext ‖ tag(16)</c>;
/// the AAD is the first five bytes followed by the record id.
/// Thread-safe once constructed.
/// </summary>
public sealed class RecordBarrier : IDisposable
{
    private const byte FormatV1 = 1;
    private const int HeaderSize = 5;

    private readonly SecretBytes _domainKey;
    private readonly uint _domainKeyVersion;

    public RecordBarrier(SecretBytes domainKey, uint domainKeyVersion)
    {
        _domainKey = domainKey;
        _domainKeyVersion = domainKeyVersion;
    }

    public byte[] Seal(string recordId, ReadOnlySpan<byte> plaintext)
    {
        var blob = new byte[HeaderSize + AesGcmBox.Overhead + plaintext.Length];
        blob[0] = FormatV1;
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(1, 4), _domainKeyVersion);
        var aad = BuildAad(blob.AsSpan(0, HeaderSize), recordId);
        AesGcmBox.Seal(_domainKey.Span, plaintext, aad, blob.AsSpan(HeaderSize));
        return blob;
    }

    /// <summary>Throws <see cref="CryptographicException"/> when the record was altered or moved.</summary>
    public SecretBytes Open(string recordId, byte[] blob)
    {
        if (blob.Length < HeaderSize + AesGcmBox.Overhead || blob[0] != FormatV1
            || BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(1, 4)) != _domainKeyVersion)
        {
            throw new CryptographicException($"Stored record {recordId} has an unknown format.");
        }

        var aad = BuildAad(blob.AsSpan(0, HeaderSize), recordId);
        var plaintext = SecretBytes.Allocate(blob.Length - HeaderSize - AesGcmBox.Overhead);
        if (!AesGcmBox.TryOpen(_domainKey.Span, blob.AsSpan(HeaderSize), aad, plaintext.Writable))
        {
            plaintext.Dispose();
            throw new CryptographicException($"Stored record {recordId} failed its integrity check.");
        }

        return plaintext;
    }

    private static byte[] BuildAad(ReadOnlySpan<byte> header, string recordId)
    {
        var aad = new byte[header.Length + Encoding.UTF8.GetByteCount(recordId)];
        header.CopyTo(aad);
        Encoding.UTF8.GetBytes(recordId, aad.AsSpan(header.Length));
        return aad;
    }

    public void Dispose() => _domainKey.Dispose();
}
