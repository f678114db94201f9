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

    private readonly Dictionary<uint, SecretBytes> _keys;
    private readonly uint _current;

    public RecordBarrier(SecretBytes domainKey, uint domainKeyVersion)
        : this(new Dictionary<uint, SecretBytes> { [domainKeyVersion] = domainKey }, domainKeyVersion)
    {
    }

    /// <summary>A barrier that seals with <paramref name="current"/> and opens records of any of <paramref name="keys"/>' versions (during a rotation).</summary>
    public RecordBarrier(Dictionary<uint, SecretBytes> keys, uint current)
    {
        _keys = keys;
        _current = current;
    }

    /// <summary>The domain key version new records are sealed with.</summary>
    public uint CurrentVersion => _current;

    /// <summary>The version a sealed record was made with, or null for a blob that is not a record.</summary>
    public static uint? VersionOf(byte[] blob) =>
        blob.Length >= HeaderSize && blob[0] == FormatV1 ? BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(1, 4)) : null;

    /// <summary>A new barrier with copies of these keys plus <paramref name="newKey"/> as the current one (the caller keeps ownership of this barrier).</summary>
    public RecordBarrier WithNewCurrent(SecretBytes newKey, uint version)
    {
        var keys = _keys.ToDictionary(p => p.Key, p => SecretBytes.CopyOf(p.Value.Span));
        keys[version] = newKey;
        return new RecordBarrier(keys, version);
    }

    /// <summary>A new barrier with a copy of the current key only: the older versions are retired.</summary>
    public RecordBarrier CurrentOnly() => new(SecretBytes.CopyOf(_keys[_current].Span), _current);

    public byte[] Seal(string recordId, ReadOnlySpan<byte> plaintext)
    {
        var blob = new byte[HeaderSize + AesGcmBox.Overhead + plaintext.Length];
        blob[0] = FormatV1;
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(1, 4), _current);
        var aad = BuildAad(blob.AsSpan(0, HeaderSize), recordId);
        AesGcmBox.Seal(_keys[_current].Span, plaintext, aad, blob.AsSpan(HeaderSize));
        return blob;
    }

    /// <summary>Throws <see cref="CryptographicException"/> when the record was altered or moved.</summary>
    public SecretBytes Open(string recordId, byte[] blob)
    {
        if (blob.Length < HeaderSize + AesGcmBox.Overhead || blob[0] != FormatV1
            || !_keys.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(1, 4)), out var key))
        {
            throw new CryptographicException($"Stored record {recordId} has an unknown format or domain key version.");
        }

        var aad = BuildAad(blob.AsSpan(0, HeaderSize), recordId);
        var plaintext = SecretBytes.Allocate(blob.Length - HeaderSize - AesGcmBox.Overhead);
        if (!AesGcmBox.TryOpen(key.Span, blob.AsSpan(HeaderSize), aad, plaintext.Writable))
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

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
