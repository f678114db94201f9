using System.Globalization;
using Coffer.Crypto;
using Microsoft.Extensions.Primitives;

namespace Coffer.Protocol.SigV4;

/// <summary>A computed SigV4 signature and the steps that led to it, for callers and tests to inspect.</summary>
public sealed record SigV4Signature(string CanonicalRequest, string StringToSign, string SignedHeaders, string Signature, string Authorization);

/// <summary>
/// Signs outgoing requests as an AWS SDK does, through the same <see cref="CanonicalRequest"/> the
/// server verifies with: Coffer's CLI (<c>coffer seal</c>), the integration tests' raw client, the
/// load generator and the benchmarks. Stateless and thread-safe.
/// </summary>
public static class SigV4RequestSigner
{
    /// <summary>The <c>X-Amz-Date</c> value of <paramref name="time"/>.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString(CanonicalRequest.DateFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Signs exactly the headers given (names in any case; a name given twice signs its values in
    /// order, comma-joined) for a request whose request line has <paramref name="rawPath"/> and
    /// <paramref name="rawQuery"/> (without <c>?</c>). The caller sends those headers, with
    /// <c>X-Amz-Date: <paramref name="amzDate"/></c> among them, and the returned Authorization.
    /// </summary>
    public static SigV4Signature Sign(string method, string rawPath, string rawQuery, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash,
        string accessKeyId, SecretBytes secret, string region, string service, string amzDate)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var lower = name.ToLowerInvariant();
            if (!byName.TryGetValue(lower, out var values))
            {
                byName[lower] = values = [];
            }

            values.Add(value);
        }

        var names = byName.Keys.ToArray();
        var canonical = CanonicalRequest.Build(method, rawPath, rawQuery, names, new GivenHeaders(byName), payloadHash);
        var scope = CanonicalRequest.Scope(amzDate[..8], region, service);
        var stringToSign = CanonicalRequest.StringToSign(amzDate, scope, canonical);
        var signature = SigV4Crypto.Sign(secret, amzDate[..8], region, service, stringToSign);
        var signedHeaders = string.Join(';', names);
        return new SigV4Signature(canonical, stringToSign, signedHeaders, signature,
            $"{CanonicalRequest.Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>
    /// Adds <c>X-Amz-Date</c> (and <c>X-Amz-Security-Token</c> when given) and an Authorization
    /// that signs them, the host, the content type and every other <c>x-amz-*</c> header already on
    /// <paramref name="request"/>. Set the content (and its type) and those headers first.
    /// </summary>
    public static SigV4Signature Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, string accessKeyId, SecretBytes secret, string region, string service,
        string? sessionToken, DateTimeOffset now)
    {
        var amzDate = AmzDate(now);
        request.Headers.Add("X-Amz-Date", amzDate);
        if (sessionToken is not null)
        {
            request.Headers.Add("X-Amz-Security-Token", sessionToken);
        }

        var uri = request.RequestUri ?? throw new ArgumentException("The request has no address.", nameof(request));
        var headers = new List<KeyValuePair<string, string>> { new("host", uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}") };
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers.Add(new("content-type", contentType.ToString()));
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                headers.AddRange(values.Select(v => new KeyValuePair<string, string>(name, v)));
            }
        }

        var signature = Sign(request.Method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), headers, SigV4Crypto.Sha256Hex(body),
            accessKeyId, secret, region, service, amzDate);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return signature;
    }

    private readonly struct GivenHeaders(SortedDictionary<string, List<string>> byName) : ISignedHeaderSource
    {
        public StringValues ValuesOf(string signedName) => byName.TryGetValue(signedName, out var values) ? new StringValues(values.ToArray()) : StringValues.Empty;
    }
}
