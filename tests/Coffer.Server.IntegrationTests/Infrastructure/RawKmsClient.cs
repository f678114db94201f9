using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>An AWS error or success as it came off the wire.</summary>
public sealed record RawResponse(int Status, string Body, HttpResponseMessage Message)
{
    /// <summary>The text of the first XML element with this local name (Query-protocol answers).</summary>
    public string? Xml(string name) =>
        System.Xml.Linq.XDocument.Parse(Body).Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    public JsonElement Json => JsonDocument.Parse(Body.Length == 0 ? "{}" : Body).RootElement;
    public string? Type => Json.TryGetProperty("__type", out var t) ? t.GetString() : null;

    public string? ErrorMessage =>
        Json.TryGetProperty("message", out var m) ? m.GetString() : Json.TryGetProperty("Message", out var m2) ? m2.GetString() : null;
}

/// <summary>
/// Sends hand-made KMS requests, signed by this file's own SigV4 implementation (written apart
/// from the server's, so the two check each other), for the cases the AWS SDK will not produce:
/// malformed bodies, wrong types, bad signatures, skewed clocks.
/// </summary>
public sealed class RawKmsClient(Uri address, string accessKeyId, string secret, string region)
{
    private static readonly HttpClient Http = new();

    /// <summary>An IAM or STS Query-protocol call: form-encoded Action and parameters, signed for <paramref name="service"/>.</summary>
    public Task<RawResponse> QueryAsync(string service, string action, IDictionary<string, string>? parameters = null, Action<SigningOptions>? configure = null)
    {
        var form = new Dictionary<string, string>(parameters ?? new Dictionary<string, string>())
        {
            ["Action"] = action,
            ["Version"] = service == "sts" ? "2011-06-15" : "2010-05-08",
        };
        var body = string.Join('&', form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return SendBytesAsync(null, Encoding.UTF8.GetBytes(body), o =>
        {
            o.Service = service;
            o.ContentType = "application/x-www-form-urlencoded; charset=utf-8";
            configure?.Invoke(o);
        });
    }

    public Task<RawResponse> SendAsync(string? operation, string body, Action<SigningOptions>? configure = null) =>
        SendBytesAsync(operation, Encoding.UTF8.GetBytes(body), configure);

    public async Task<RawResponse> SendBytesAsync(string? operation, byte[] body, Action<SigningOptions>? configure = null)
    {
        var options = new SigningOptions { AccessKeyId = accessKeyId, Secret = secret, Region = region, Time = DateTimeOffset.UtcNow };
        configure?.Invoke(options);
        using var request = new HttpRequestMessage(HttpMethod.Post, address);
        var content = new ByteArrayContent(options.BodyAfterSigning is null ? body : Encoding.UTF8.GetBytes(options.BodyAfterSigning));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(options.ContentType);
        request.Content = content;
        var amzDate = options.Time.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = options.ContentType,
            ["host"] = $"{address.Host}:{address.Port}",
            ["x-amz-date"] = amzDate,
        };
        if (operation is not null)
        {
            headers["x-amz-target"] = $"TrentService.{operation}";
            request.Headers.Add("X-Amz-Target", headers["x-amz-target"]);
        }

        if (options.SendDate)
        {
            request.Headers.Add("X-Amz-Date", amzDate);
        }

        foreach (var (name, value) in options.ExtraHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
            headers[name.ToLowerInvariant()] = value;
        }

        if (options.Sign)
        {
            var signed = headers.Where(h => !options.UnsignedHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase)).ToList();
            var signedHeaders = string.Join(';', signed.Select(h => h.Key));
            var canonical = $"POST\n/\n\n{string.Concat(signed.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
            var scope = $"{amzDate[..8]}/{options.Region}/{options.Service}/aws4_request";
            var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            var key = Encoding.UTF8.GetBytes("AWS4" + options.Secret);
            foreach (var part in new[] { amzDate[..8], options.Region, options.Service, "aws4_request" })
            {
                key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
            }

            var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
            var authorization = options.Authorization
                ?? $"AWS4-HMAC-SHA256 Credential={options.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        else if (options.Authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", options.Authorization);
        }

        var response = await Http.SendAsync(request);
        return new RawResponse((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

public sealed class SigningOptions
{
    public required string AccessKeyId { get; set; }
    public required string Secret { get; set; }
    public required string Region { get; set; }
    public required DateTimeOffset Time { get; set; }
    public string Service { get; set; } = "kms";
    public string ContentType { get; set; } = "application/x-amz-json-1.1";
    public bool Sign { get; set; } = true;
    public bool SendDate { get; set; } = true;

    /// <summary>Replaces the whole Authorization header.</summary>
    public string? Authorization { get; set; }

    /// <summary>Sends this body instead of the one that was signed.</summary>
    public string? BodyAfterSigning { get; set; }

    public Dictionary<string, string> ExtraHeaders { get; } = [];

    /// <summary>Headers sent but left out of SignedHeaders.</summary>
    public List<string> UnsignedHeaders { get; } = [];
}
