using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>Cryptographically strong random values for ids, data keys and GenerateRandom.</summary>
public static class RandomSource
{
    public static byte[] Bytes(int count) => RandomNumberGenerator.GetBytes(count);

    /// <summary>A random (version 4) UUID, the form KMS key ids take.</summary>
    public static Guid Uuid() => Guid.NewGuid();

    /// <summary>A string of <paramref name="length"/> characters drawn uniformly from <paramref name="alphabet"/>.</summary>
    public static string String(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);
}
