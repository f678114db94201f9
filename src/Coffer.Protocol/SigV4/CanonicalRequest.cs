using System.Buffers;
using System.Text;
using Coffer.Crypto;
using Microsoft.Extensions.Primitives;

namespace Coffer.Protocol.SigV4;

/// <summary>Where a canonical request reads the values of the headers it signs.</summary>
public interface ISignedHeaderSource
{
    /// <summary>
    /// Every value the request carries for <paramref name="signedName"/> (as written in SignedHeaders),
    /// in the order they were sent; empty when it carries none.
    /// </summary>
    StringValues ValuesOf(string signedName);
}

/// <summary>
/// The one SigV4 canonicalisation in Coffer, used by the server's verifier and by every signer
/// (<see cref="SigV4RequestSigner"/>): the canonical request and the string to sign, by AWS's rules
/// for services other than S3 (each path segment is URI-encoded once more, the path is not
/// normalised). The HMAC steps are <see cref="SigV4Crypto"/>'s. Stateless and thread-safe.
/// </summary>
public static class CanonicalRequest
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The layout of <c>X-Amz-Date</c>: ISO 8601 basic format, UTC.</summary>
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    private const int StackLimit = 256;
    private const string HexDigits = "0123456789ABCDEF";

    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    /// <summary>
    /// The canonical request text. <paramref name="rawPath"/> and <paramref name="rawQuery"/> are
    /// as they stand in the request line (the query without its <c>?</c>); <paramref name="signedHeaders"/>
    /// are taken in the order given, so a signer sorts them and a verifier keeps the caller's.
    /// </summary>
    public static string Build<THeaders>(string method, ReadOnlySpan<char> rawPath, ReadOnlySpan<char> rawQuery,
        IReadOnlyList<string> signedHeaders, THeaders headers, string payloadHash)
        where THeaders : ISignedHeaderSource
    {
        var text = new PooledChars(512);
        try
        {
            Write(ref text, method, rawPath, rawQuery, signedHeaders, headers, payloadHash);
            return text.Written.ToString();
        }
        finally
        {
            text.Dispose();
        }
    }

    /// <summary>The string to sign of an already built canonical request.</summary>
    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        StringToSign(amzDate, scope, canonicalRequest.AsSpan());

    /// <summary>
    /// The string to sign straight from the request's parts: the canonical request is written to a
    /// pooled buffer and hashed there, never becoming a string (the verifier's path).
    /// </summary>
    public static string StringToSign<THeaders>(string amzDate, string scope, string method, ReadOnlySpan<char> rawPath, ReadOnlySpan<char> rawQuery,
        IReadOnlyList<string> signedHeaders, THeaders headers, string payloadHash)
        where THeaders : ISignedHeaderSource
    {
        var text = new PooledChars(512);
        try
        {
            Write(ref text, method, rawPath, rawQuery, signedHeaders, headers, payloadHash);
            return StringToSign(amzDate, scope, text.Written);
        }
        finally
        {
            text.Dispose();
        }
    }

    /// <summary>The credential scope, <c>date/region/service/aws4_request</c>.</summary>
    public static string Scope(string date, string region, string service) => $"{date}/{region}/{service}/aws4_request";

    /// <summary>RFC 3986 encoding of everything but the unreserved characters, as SigV4 wants it.</summary>
    public static string UriEncode(string value)
    {
        var text = new PooledChars(value.Length * 3);
        try
        {
            AppendUriEncoded(ref text, value);
            return text.Written.ToString();
        }
        finally
        {
            text.Dispose();
        }
    }

    private static string StringToSign(string amzDate, string scope, ReadOnlySpan<char> canonicalRequest)
    {
        var length = Encoding.UTF8.GetByteCount(canonicalRequest);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(canonicalRequest, rented);
            return $"{Algorithm}\n{amzDate}\n{scope}\n{SigV4Crypto.Sha256Hex(rented.AsSpan(0, written))}";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Write<THeaders>(ref PooledChars text, string method, ReadOnlySpan<char> rawPath, ReadOnlySpan<char> rawQuery,
        IReadOnlyList<string> signedHeaders, THeaders headers, string payloadHash)
        where THeaders : ISignedHeaderSource
    {
        text.Append(method);
        text.Append('\n');
        AppendPath(ref text, rawPath);
        text.Append('\n');
        AppendQuery(ref text, rawQuery);
        text.Append('\n');
        for (var i = 0; i < signedHeaders.Count; i++)
        {
            text.Append(signedHeaders[i]);
            text.Append(':');
            AppendHeaderValues(ref text, headers.ValuesOf(signedHeaders[i]));
            text.Append('\n');
        }

        text.Append('\n');
        for (var i = 0; i < signedHeaders.Count; i++)
        {
            if (i > 0)
            {
                text.Append(';');
            }

            text.Append(signedHeaders[i]);
        }

        text.Append('\n');
        text.Append(payloadHash);
    }

    private static void AppendPath(ref PooledChars text, ReadOnlySpan<char> rawPath)
    {
        if (rawPath.IsEmpty)
        {
            text.Append('/');
            return;
        }

        var first = true;
        foreach (var segment in rawPath.Split('/'))
        {
            if (!first)
            {
                text.Append('/');
            }

            AppendUriEncoded(ref text, rawPath[segment]);
            first = false;
        }
    }

    /// <summary>
    /// Pairs decoded and encoded again, then sorted by name and value. Rare on this endpoint (KMS,
    /// IAM and STS put everything in the body), so this part allocates freely.
    /// </summary>
    private static void AppendQuery(ref PooledChars text, ReadOnlySpan<char> rawQuery)
    {
        if (rawQuery.IsEmpty)
        {
            return;
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var range in rawQuery.Split('&'))
        {
            var pair = rawQuery[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].ToString().Replace('+', ' '));
            pairs.Add((UriEncode(name), UriEncode(value)));
        }

        pairs.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                text.Append('&');
            }

            text.Append(pairs[i].Name);
            text.Append('=');
            text.Append(pairs[i].Value);
        }
    }

    /// <summary>Values joined with commas, each trimmed and with runs of spaces made one.</summary>
    private static void AppendHeaderValues(ref PooledChars text, StringValues values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            var previousSpace = false;
            foreach (var c in (values[i] ?? "").AsSpan().Trim())
            {
                if (c == ' ' && previousSpace)
                {
                    continue;
                }

                text.Append(c);
                previousSpace = c == ' ';
            }
        }
    }

    private static void AppendUriEncoded(ref PooledChars text, ReadOnlySpan<char> value)
    {
        if (!value.ContainsAnyExcept(Unreserved))
        {
            text.Append(value);
            return;
        }

        // Lone surrogates become U+FFFD here, as Encoding.UTF8 does everywhere else.
        var length = Encoding.UTF8.GetByteCount(value);
        var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        var bytes = rented is null ? stackalloc byte[StackLimit] : rented;
        var written = Encoding.UTF8.GetBytes(value, bytes);
        foreach (var b in bytes[..written])
        {
            if (b < 0x80 && Unreserved.Contains((char)b))
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%');
                text.Append(HexDigits[b >> 4]);
                text.Append(HexDigits[b & 0xF]);
            }
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
