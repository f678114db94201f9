using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>Cryptographically strong random values for ids, data keys and GenerateRandom.</summary>
public static class RandomSource
{
    public static byte[] Bytes(int count) => RandomNumberGenerator.GetBytes(count);

    /// <summary>
    /// A random (version 4) UUID, the form KMS key ids, request ids and event ids take. Drawn from
    /// OpenSSL's generator, which keeps its state in the process: <see cref="Guid.NewGuid"/> reads
    /// /dev/urandom with a system call each time on Linux, twice a request on the hot path.
    /// </summary>
    public static Guid Uuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);

        // Guid's byte order puts the version in the high nibble of byte 7 and the variant in the top bits of byte 8.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>A string of <paramref name="length"/> characters drawn uniformly from <paramref name="alphabet"/>.</summary>
    public static string String(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);
}
