using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>
/// The ciphertext blob of a symmetric KMS key. Each encryption derives a one-time AES-256 key
/// from the key version's material with HKDF-SHA256 and a random 128-bit salt, so the GCM limit
/// of 2^32 random nonces per key never binds however much one KMS key encrypts.
/// <para>Layout (format 1):</para>
/// <code>
/// format(1)=0x01 ‖ key id (16, RFC 4122 order) ‖ material version (4, big-endian)
/// ‖ salt(16) ‖ iv(12) ‖ ciphertext ‖ tag(16)
/// </code>
/// The AAD is the 49-byte header followed by the canonical encryption context, so a changed
/// byte anywhere, or another context, fails authentication.
/// </summary>
public static class SymmetricCiphertext
{
    public const byte FormatV1 = 1;
    private const int SaltSize = 16;
    private const int IvSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + 16 + 4 + SaltSize + IvSize;
    public const int Overhead = HeaderSize + TagSize;
    private static readonly byte[] HkdfInfo = "coffer:symmetric:v1"u8.ToArray();

    /// <summary>Reads the key and version a blob names, without decrypting it.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> blob, out Guid keyId, out int materialVersion)
    {
        keyId = default;
        materialVersion = 0;
        if (blob.Length < Overhead || blob[0] != FormatV1)
        {
            return false;
        }

        keyId = new Guid(blob.Slice(1, 16), bigEndian: true);
        var version = BinaryPrimitives.ReadUInt32BigEndian(blob.Slice(17, 4));
        if (version is 0 or > int.MaxValue)
        {
            return false;
        }

        materialVersion = (int)version;
        return true;
    }

    public static byte[] Encrypt(SecretBytes material, Guid keyId, int materialVersion, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> canonicalContext)
    {
        var blob = new byte[Overhead + plaintext.Length];
        var span = blob.AsSpan();
        span[0] = FormatV1;
        keyId.TryWriteBytes(span.Slice(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(17, 4), (uint)materialVersion);
        RandomNumberGenerator.Fill(span.Slice(21, SaltSize + IvSize));

        Span<byte> oneTimeKey = stackalloc byte[32];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, material.Span, oneTimeKey, span.Slice(21, SaltSize), HkdfInfo);
            using var gcm = new AesGcm(oneTimeKey, TagSize);
            gcm.Encrypt(span.Slice(21 + SaltSize, IvSize), plaintext, span.Slice(HeaderSize, plaintext.Length), span[^TagSize..],
                BuildAad(span[..HeaderSize], canonicalContext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(oneTimeKey);
        }

        return blob;
    }

    /// <summary>
    /// Decrypts into a new secret. Returns null when the blob does not authenticate under this
    /// material and context: the caller answers InvalidCiphertextException and learns no more.
    /// </summary>
    public static SecretBytes? TryDecrypt(SecretBytes material, ReadOnlySpan<byte> blob, ReadOnlySpan<byte> canonicalContext)
    {
        if (blob.Length < Overhead || blob[0] != FormatV1)
        {
            return null;
        }

        var aad = BuildAad(blob[..HeaderSize], canonicalContext);
        Span<byte> oneTimeKey = stackalloc byte[32];
        var plaintext = SecretBytes.Allocate(blob.Length - Overhead);
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, material.Span, oneTimeKey, blob.Slice(21, SaltSize), HkdfInfo);
            using var gcm = new AesGcm(oneTimeKey, TagSize);
            gcm.Decrypt(blob.Slice(21 + SaltSize, IvSize), blob[HeaderSize..^TagSize], blob[^TagSize..],
                plaintext.Writable, aad);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            plaintext.Dispose();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(oneTimeKey);
        }
    }

    private static byte[] BuildAad(ReadOnlySpan<byte> header, ReadOnlySpan<byte> canonicalContext)
    {
        var aad = new byte[header.Length + canonicalContext.Length];
        header.CopyTo(aad);
        canonicalContext.CopyTo(aad.AsSpan(header.Length));
        return aad;
    }
}
