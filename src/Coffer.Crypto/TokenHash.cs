using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto;

/// <summary>
/// Session and grant tokens are stored only as SHA-256 hashes, so a copy of the store yields no
/// usable token; checks compare hashes in constant time.
/// </summary>
public static class TokenHash
{
    public static byte[] Of(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static bool Matches(string token, byte[] expectedHash) => SecretComparer.FixedTimeEquals(Of(token), expectedHash);

    /// <summary>The hash of a binary token (an import token).</summary>
    public static byte[] Of(ReadOnlySpan<byte> token) => SHA256.HashData(token);

    public static bool Matches(ReadOnlySpan<byte> token, byte[] expectedHash) => SecretComparer.FixedTimeEquals(Of(token), expectedHash);
}
