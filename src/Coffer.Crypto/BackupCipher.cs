using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto;

/// <summary>A backup file cannot be opened: the key is wrong, or the file was cut short, altered or is no Coffer backup.</summary>
public sealed class BackupCipherException(string message) : IOException(message);

/// <summary>
/// Where a backup's key comes from: a 32-byte key file, or a passphrase stretched with
/// PBKDF2-HMAC-SHA256. Owns its secret and zeroes it on <see cref="Dispose"/>.
/// </summary>
public sealed class BackupKey : IDisposable
{
    public const int KeyFileBytes = 32;

    /// <summary>PBKDF2-HMAC-SHA256 iterations for new backups (OWASP's 2023 figure for this hash).</summary>
    public const int PassphraseIterations = 600_000;

    // What a backup's header may ask for: fewer would make guessing cheap, more would let a crafted file stall the restore.
    private const int MinIterations = 100_000;
    private const int MaxIterations = 10_000_000;

    private readonly SecretBytes _secret;

    private BackupKey(SecretBytes secret, bool isPassphrase)
    {
        _secret = secret;
        IsPassphrase = isPassphrase;
    }

    internal bool IsPassphrase { get; }

    /// <summary>A fresh random key, for a new key file.</summary>
    public static BackupKey NewKeyFile() => new(SecretBytes.Random(KeyFileBytes), isPassphrase: false);

    /// <summary>A key file's text: the key in base64 on one line.</summary>
    public string ToKeyFileText() => Convert.ToBase64String(_secret.Span) + "\n";

    /// <summary>Reads a key file's text; null when it is not one.</summary>
    public static BackupKey? FromKeyFileText(string text)
    {
        var bytes = new byte[KeyFileBytes];
        try
        {
            return Convert.TryFromBase64String(text.Trim(), bytes, out var written) && written == KeyFileBytes
                ? new BackupKey(SecretBytes.CopyOf(bytes), isPassphrase: false)
                : null;
        }
        finally
        {
            SecretBytes.Zero(bytes);
        }
    }

    /// <summary>A passphrase's UTF-8 bytes (the string itself cannot be zeroed; the caller drops it at once).</summary>
    public static BackupKey FromPassphrase(string passphrase)
    {
        var bytes = Encoding.UTF8.GetBytes(passphrase);
        try
        {
            return new BackupKey(SecretBytes.CopyOf(bytes), isPassphrase: true);
        }
        finally
        {
            SecretBytes.Zero(bytes);
        }
    }

    /// <summary>The key for one file and the value that tells a wrong key from a damaged file, both from that file's salt.</summary>
    internal (SecretBytes FileKey, byte[] KeyCheck) Derive(ReadOnlySpan<byte> salt, int iterations)
    {
        Span<byte> ikm = stackalloc byte[32];
        Span<byte> okm = stackalloc byte[32 + BackupCipher.KeyCheckBytes];
        try
        {
            if (IsPassphrase)
            {
                if (iterations is < MinIterations or > MaxIterations)
                {
                    throw new BackupCipherException($"The backup asks for {iterations} passphrase iterations, outside {MinIterations}-{MaxIterations}: it is damaged or no Coffer backup.");
                }

                Rfc2898DeriveBytes.Pbkdf2(_secret.Span, salt, ikm, iterations, HashAlgorithmName.SHA256);
            }
            else
            {
                _secret.Span.CopyTo(ikm);
            }

            HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, okm, salt, "coffer backup v1"u8);
            return (SecretBytes.CopyOf(okm[..32]), okm[32..].ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
            CryptographicOperations.ZeroMemory(okm);
        }
    }

    public void Dispose() => _secret.Dispose();
}

/// <summary>
/// The backup file format: a plaintext header, then the contents in AES-256-GCM chunks.
/// </summary>
/// <remarks>
/// <para>Header (50 bytes): <c>"COFFERBK"</c>, format <c>0x01</c>, key kind (<c>1</c> key file,
/// <c>2</c> passphrase), PBKDF2 iterations (uint32 big-endian, 0 for a key file), a random 32-byte
/// salt, and a 4-byte key check. The file key and the check come from HKDF-SHA256 over the key
/// (or its PBKDF2 output) with that salt: each file has its own key, so counter nonces never repeat
/// under one key.</para>
/// <para>Chunk: a flag byte (<c>1</c> on the last chunk, else <c>0</c>), the plaintext length
/// (uint32 big-endian, at most 64 KiB), the ciphertext and its 16-byte tag. The nonce is the chunk's
/// number (uint64 big-endian) and the flag (uint32); the AAD is the whole header, the flag and the
/// length. So an altered byte anywhere, chunks swapped or dropped, a file cut after any chunk but
/// the last, or bytes added after it, each fail authentication or the framing check.</para>
/// </remarks>
public static class BackupCipher
{
    public const int ChunkBytes = 64 * 1024;
    internal const int KeyCheckBytes = 4;
    private const int SaltBytes = 32;
    private const int HeaderBytes = 8 + 1 + 1 + 4 + SaltBytes + KeyCheckBytes;
    private const int TagBytes = 16;
    private const byte Format = 1;
    private static ReadOnlySpan<byte> Magic => "COFFERBK"u8;

    /// <summary>A write-only stream that encrypts into <paramref name="output"/>; disposing it writes the last chunk. The caller keeps the key.</summary>
    public static Stream Encrypt(Stream output, BackupKey key) => new EncryptingStream(output, key);

    /// <summary>
    /// A read-only stream of the contents of <paramref name="input"/>; reading past the last chunk
    /// returns 0 only when the file ended there. Throws <see cref="BackupCipherException"/> at once
    /// for a wrong key or a header that is no Coffer backup's, and while reading for a damaged file.
    /// </summary>
    public static Stream Decrypt(Stream input, BackupKey key) => new DecryptingStream(input, key);

    private static void Nonce(Span<byte> nonce, ulong chunk, bool last)
    {
        BinaryPrimitives.WriteUInt64BigEndian(nonce, chunk);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], last ? 1u : 0u);
    }

    private static byte[] Aad(ReadOnlySpan<byte> header, bool last, int length)
    {
        var aad = new byte[HeaderBytes + 5];
        header.CopyTo(aad);
        aad[HeaderBytes] = last ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(HeaderBytes + 1), (uint)length);
        return aad;
    }

    private sealed class EncryptingStream : Stream
    {
        private readonly Stream _output;
        private readonly byte[] _header = new byte[HeaderBytes];
        private readonly SecretBytes _fileKey;
        private readonly AesGcm _gcm;
        private readonly byte[] _plain = new byte[ChunkBytes];
        private int _filled;
        private ulong _chunk;
        private bool _closed;

        public EncryptingStream(Stream output, BackupKey key)
        {
            _output = output;
            var salt = RandomNumberGenerator.GetBytes(SaltBytes);
            var iterations = key.IsPassphrase ? BackupKey.PassphraseIterations : 0;
            (_fileKey, var check) = key.Derive(salt, iterations);
            _gcm = new AesGcm(_fileKey.Span, TagBytes);
            Magic.CopyTo(_header);
            _header[8] = Format;
            _header[9] = key.IsPassphrase ? (byte)2 : (byte)1;
            BinaryPrimitives.WriteUInt32BigEndian(_header.AsSpan(10), (uint)iterations);
            salt.CopyTo(_header, 14);
            check.CopyTo(_header, 14 + SaltBytes);
            _output.Write(_header);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            while (buffer.Length > 0)
            {
                if (_filled == ChunkBytes)
                {
                    // Sealed only when more follows, so that the last chunk is always the one Dispose seals.
                    Seal(last: false);
                }

                var take = Math.Min(buffer.Length, ChunkBytes - _filled);
                buffer[..take].CopyTo(_plain.AsSpan(_filled));
                _filled += take;
                buffer = buffer[take..];
            }
        }

        private void Seal(bool last)
        {
            Span<byte> nonce = stackalloc byte[12];
            Nonce(nonce, _chunk++, last);
            var cipher = new byte[5 + _filled + TagBytes];
            cipher[0] = last ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt32BigEndian(cipher.AsSpan(1), (uint)_filled);
            _gcm.Encrypt(nonce, _plain.AsSpan(0, _filled), cipher.AsSpan(5, _filled), cipher.AsSpan(5 + _filled, TagBytes), Aad(_header, last, _filled));
            _output.Write(cipher);
            CryptographicOperations.ZeroMemory(_plain);
            _filled = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                try
                {
                    Seal(last: true);
                    _output.Flush();
                }
                finally
                {
                    _closed = true;
                    _gcm.Dispose();
                    _fileKey.Dispose();
                    CryptographicOperations.ZeroMemory(_plain);
                }
            }

            base.Dispose(disposing);
        }

        public override void Flush() => _output.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => !_closed;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class DecryptingStream : Stream
    {
        private readonly Stream _input;
        private readonly byte[] _header = new byte[HeaderBytes];
        private readonly SecretBytes _fileKey;
        private readonly AesGcm _gcm;
        private readonly byte[] _plain = new byte[ChunkBytes];
        private int _offset;
        private int _length;
        private ulong _chunk;
        private bool _sawLast;

        public DecryptingStream(Stream input, BackupKey key)
        {
            _input = input;
            if (!ReadFully(_header) || !_header.AsSpan(0, 8).SequenceEqual(Magic))
            {
                throw new BackupCipherException("The file is not a Coffer backup.");
            }

            if (_header[8] != Format)
            {
                throw new BackupCipherException($"The backup is of format {_header[8]}, which this Coffer does not read.");
            }

            var kind = _header[9];
            if (kind is not (1 or 2))
            {
                throw new BackupCipherException("The backup's header is damaged (unknown key kind).");
            }

            if ((kind == 2) != key.IsPassphrase)
            {
                throw new BackupCipherException(kind == 2
                    ? "The backup was made with a passphrase, not a key file: give --passphrase."
                    : "The backup was made with a key file, not a passphrase: give --key-file.");
            }

            var iterations = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(10)), int.MaxValue);
            (_fileKey, var check) = key.Derive(_header.AsSpan(14, SaltBytes), iterations);
            if (!SecretComparer.FixedTimeEquals(check, _header.AsSpan(14 + SaltBytes, KeyCheckBytes)))
            {
                _fileKey.Dispose();
                throw new BackupCipherException("The backup key does not open this backup (wrong key file or passphrase).");
            }

            _gcm = new AesGcm(_fileKey.Span, TagBytes);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_offset == _length)
            {
                if (_sawLast)
                {
                    Span<byte> extra = stackalloc byte[1];
                    return _input.Read(extra) == 0 ? 0 : throw Damaged("bytes follow its last chunk");
                }

                NextChunk();
            }

            var take = Math.Min(buffer.Length, _length - _offset);
            _plain.AsSpan(_offset, take).CopyTo(buffer);
            _offset += take;
            return take;
        }

        private void NextChunk()
        {
            Span<byte> frame = stackalloc byte[5];
            if (!ReadFully(frame))
            {
                throw Damaged("it ends before its last chunk: it was cut short");
            }

            var last = frame[0] switch
            {
                0 => false,
                1 => true,
                _ => throw Damaged($"chunk {_chunk} is malformed"),
            };
            var length = BinaryPrimitives.ReadUInt32BigEndian(frame[1..]);
            if (length > ChunkBytes)
            {
                throw Damaged($"chunk {_chunk} is malformed");
            }

            var cipher = new byte[length + TagBytes];
            if (!ReadFully(cipher))
            {
                throw Damaged("it ends before its last chunk: it was cut short");
            }

            Span<byte> nonce = stackalloc byte[12];
            Nonce(nonce, _chunk, last);
            try
            {
                _gcm.Decrypt(nonce, cipher.AsSpan(0, (int)length), cipher.AsSpan((int)length), _plain.AsSpan(0, (int)length), Aad(_header, last, (int)length));
            }
            catch (AuthenticationTagMismatchException)
            {
                CryptographicOperations.ZeroMemory(_plain);
                throw Damaged($"chunk {_chunk} does not authenticate: the file was altered, or its chunks reordered or cut");
            }

            _chunk++;
            _sawLast = last;
            _offset = 0;
            _length = (int)length;
        }

        private bool ReadFully(Span<byte> buffer)
        {
            var read = 0;
            while (read < buffer.Length)
            {
                var n = _input.Read(buffer[read..]);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return true;
        }

        private static BackupCipherException Damaged(string why) => new($"The backup is damaged: {why}.");

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _gcm?.Dispose();
                _fileKey?.Dispose();
                CryptographicOperations.ZeroMemory(_plain);
            }

            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
