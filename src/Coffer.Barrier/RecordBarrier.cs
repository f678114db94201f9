using Coffer.Crypto;

namespace Coffer.Barrier;

/// <summary>
/// Encrypts every secret record before it reaches storage, under the domain key, and checks it
/// on the way back. Storage is untrusted: a record moved to another id, or any changed byte,
/// fails to decrypt. The blob format is <see cref="RecordCipher"/>'s; the ids are
/// <see cref="RecordIds"/>'. During a domain-key rotation the barrier holds two key versions:
/// it encrypts with the current one and decrypts records of either. Thread-safe once constructed.
/// </summary>
public sealed class RecordBarrier : IDisposable
{
    private readonly Dictionary<uint, SecretBytes> _keys;
    private readonly uint _current;

    public RecordBarrier(SecretBytes domainKey, uint domainKeyVersion)
        : this(new Dictionary<uint, SecretBytes> { [domainKeyVersion] = domainKey }, domainKeyVersion)
    {
    }

    /// <summary>A barrier that encrypts with <paramref name="current"/> and decrypts records of any of <paramref name="keys"/>' versions (during a rotation).</summary>
    public RecordBarrier(Dictionary<uint, SecretBytes> keys, uint current)
    {
        _keys = keys;
        _current = current;
    }

    /// <summary>The domain key version new records are encrypted with.</summary>
    public uint CurrentVersion => _current;

    /// <summary>The version a record was encrypted with, or null for a blob that is not a record.</summary>
    public static uint? VersionOf(byte[] blob) => RecordCipher.VersionOf(blob);

    /// <summary>A new barrier with copies of these keys plus <paramref name="newKey"/> as the current one (the caller keeps ownership of this barrier).</summary>
    public RecordBarrier WithNewCurrent(SecretBytes newKey, uint version)
    {
        var keys = _keys.ToDictionary(p => p.Key, p => SecretBytes.CopyOf(p.Value.Span));
        keys[version] = newKey;
        return new RecordBarrier(keys, version);
    }

    /// <summary>A new barrier with a copy of the current key only: the older versions are retired.</summary>
    public RecordBarrier CurrentOnly() => new(SecretBytes.CopyOf(_keys[_current].Span), _current);

    public byte[] Encrypt(string recordId, ReadOnlySpan<byte> plaintext) => RecordCipher.Encrypt(_keys[_current], _current, recordId, plaintext);

    /// <summary>
    /// The record's plaintext, which the caller disposes. Throws
    /// <see cref="System.Security.Cryptography.CryptographicException"/> when the record was altered or moved.
    /// </summary>
    public SecretBytes Decrypt(string recordId, byte[] blob) => RecordCipher.Decrypt(_keys, recordId, blob);

    /// <summary>The record's plaintext, or null when it was altered, moved, or sealed under a retired domain key.</summary>
    public SecretBytes? TryDecrypt(string recordId, byte[] blob) => RecordCipher.TryDecrypt(_keys, recordId, blob, out _);

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
