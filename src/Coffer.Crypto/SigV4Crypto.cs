using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto;

/// <summary>
/// The hash and HMAC steps of AWS Signature Version 4. Canonicalisation lives in the protocol
/// layer; this type only sees bytes, so secrets stay inside the crypto assembly.
/// </summary>
public static class SigV4Crypto
{
    private const int StackLimit = 256;

    /// <summary>Lower-case hex SHA-256 of <paramref name="data"/>, as the canonical request wants it.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Computes the signature of <paramref name="stringToSign"/> with the signing key derived
    /// from <paramref name="secretAccessKey"/>, and compares it with <paramref name="providedHex"/>
    /// in constant time.
    /// </summary>
    public static bool SignatureMatches(SecretBytes secretAccessKey, string date, string region, string service, string stringToSign, string providedHex)
    {
        Span<byte> derived = stackalloc byte[32];
        Span<byte> expected = stackalloc byte[32];
        Span<byte> provided = stackalloc byte[32];
        try
        {
            if (providedHex.Length != 64 || Convert.FromHexString(providedHex, provided, out _, out var written) != OperationStatus.Done || written != 32)
            {
                return false;
            }

            // The signing key depends on the day, region and service only, so a client's requests
            // of one day share it: derived once (4 of the 5 HMACs), kept beside the secret, zeroed with it.
            var keys = secretAccessKey.Companion(_ => new SigningKeys());
            scoped ReadOnlySpan<byte> key;
            if (keys.Find(date, region, service) is { } cached)
            {
                key = cached.Span;
            }
            else
            {
                DeriveSigningKey(secretAccessKey, date, region, service, derived);
                keys.TryAdd(date, region, service, derived);
                key = derived;
            }

            Hmac(key, stringToSign, expected);

            // A secret zeroed while it was being read (revoked, evicted, sealed) would have signed
            // with zeros, which anyone can compute: only a secret still intact afterwards counts.
            // Its signing keys are zeroed after it is marked, so this covers them too.
            return SecretComparer.FixedTimeEquals(expected, provided) && !secretAccessKey.IsDisposed;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    /// <summary>
    /// The signing keys derived from one secret, a few scopes at most (a client signing for several
    /// regions has one each); past <see cref="MaxScopes"/> keys are derived afresh, so no stream of
    /// made-up scopes grows it. Entries are never replaced, so none is zeroed while in use: they all
    /// go when the secret does.
    /// </summary>
    private sealed class SigningKeys : IDisposable
    {
        private const int MaxScopes = 8;
        private readonly Lock _adding = new();
        private volatile Scope[] _scopes = [];

        public SecretBytes? Find(string date, string region, string service)
        {
            foreach (var scope in _scopes)
            {
                if (scope.Date == date && scope.Region == region && scope.Service == service)
                {
                    return scope.Key;
                }
            }

            return null;
        }

        public void TryAdd(string date, string region, string service, ReadOnlySpan<byte> key)
        {
            lock (_adding)
            {
                if (_scopes.Length < MaxScopes && Find(date, region, service) is null)
                {
                    _scopes = [.. _scopes, new Scope(date, region, service, SecretBytes.CopyOf(key))];
                }
            }
        }

        public void Dispose()
        {
            lock (_adding)
            {
                foreach (var scope in _scopes)
                {
                    scope.Key.Dispose();
                }
            }
        }

        private sealed record Scope(string Date, string Region, string Service, SecretBytes Key);
    }

    /// <summary>Signs as a client does; used by Coffer's own CLI and by tests that craft requests.</summary>
    public static string Sign(SecretBytes secretAccessKey, string date, string region, string service, string stringToSign)
    {
        Span<byte> key = stackalloc byte[32];
        Span<byte> signature = stackalloc byte[32];
        try
        {
            DeriveSigningKey(secretAccessKey, date, region, service, key);
            Hmac(key, stringToSign, signature);
            return Convert.ToHexStringLower(signature);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void DeriveSigningKey(SecretBytes secret, string date, string region, string service, Span<byte> destination)
    {
        var seedLength = 4 + secret.Length;
        var rented = seedLength > StackLimit ? ArrayPool<byte>.Shared.Rent(seedLength) : null;
        var seed = rented is null ? stackalloc byte[StackLimit] : rented;
        seed = seed[..seedLength];
        try
        {
            "AWS4"u8.CopyTo(seed);
            secret.Span.CopyTo(seed[4..]);
            Hmac(seed, date, destination);
            Hmac(destination, region, destination);
            Hmac(destination, service, destination);
            Hmac(destination, "aws4_request", destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Hmac(ReadOnlySpan<byte> key, string data, Span<byte> destination)
    {
        var length = Encoding.UTF8.GetByteCount(data);
        var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        var buffer = rented is null ? stackalloc byte[StackLimit] : rented;
        var written = Encoding.UTF8.GetBytes(data, buffer);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, buffer[..written], mac);
        mac.CopyTo(destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
