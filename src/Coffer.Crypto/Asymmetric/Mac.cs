using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// GenerateMac and VerifyMac: HMAC (RFC 2104) with the MacAlgorithmSpec names AWS uses. Thread-safe:
/// it holds no state.
/// </summary>
public static class Mac
{
    /// <summary>The one MAC algorithm AWS pairs with an HMAC key spec (HMAC_256 → HMAC_SHA_256 …); empty for other specs.</summary>
    public static IReadOnlyList<string> Algorithms(string keySpec)
    {
        var spec = KeySpec.Of(keySpec);
        return spec.Family == KeyFamily.Hmac ? [$"HMAC_SHA_{spec.Size * 8}"] : [];
    }

    /// <exception cref="ArgumentException">Not an HMAC_SHA_* algorithm.</exception>
    public static byte[] Compute(string algorithm, SecretBytes key, ReadOnlySpan<byte> message) => algorithm switch
    {
        "HMAC_SHA_224" => HmacSha224(key.Span, message),
        "HMAC_SHA_256" => HMACSHA256.HashData(key.Span, message),
        "HMAC_SHA_384" => HMACSHA384.HashData(key.Span, message),
        "HMAC_SHA_512" => HMACSHA512.HashData(key.Span, message),
        _ => throw new ArgumentException($"{algorithm} is not a MAC algorithm.", nameof(algorithm)),
    };

    /// <summary>Whether <paramref name="mac"/> is the message's MAC, compared in constant time.</summary>
    public static bool Verify(string algorithm, SecretBytes key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> mac) =>
        SecretComparer.FixedTimeEquals(Compute(algorithm, key, message), mac);

    // .NET has no SHA-224 (nor HMAC over it) on any platform, so this one hash comes from BouncyCastle.
    private static byte[] HmacSha224(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        var keyCopy = key.ToArray();
        try
        {
            var hmac = new HMac(new Sha224Digest());
            hmac.Init(new KeyParameter(keyCopy));
            hmac.BlockUpdate(message);
            var mac = new byte[hmac.GetMacSize()];
            hmac.DoFinal(mac);

            // HMac keeps the padded key in its ipad/opad state; Reset does not clear it, but Init
            // with a zero key overwrites it.
            hmac.Init(new KeyParameter(new byte[keyCopy.Length]));
            return mac;
        }
        finally
        {
            SecretBytes.Zero(keyCopy);
        }
    }
}
