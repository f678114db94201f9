using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Coffer.Crypto;
using Coffer.Protocol.SigV4;

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
/// Sends hand-made KMS requests, signed by Coffer's one SigV4 signer (<see cref="SigV4RequestSigner"/>,
/// checked against AWS's published test suite in Coffer.Protocol.Tests), for the cases the AWS SDK
/// will not produce: malformed bodies, wrong types, bad signatures, skewed clocks.
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
        var amzDate = SigV4RequestSigner.AmzDate(options.Time);
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
            using var secretBytes = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(options.Secret));
            var signed = headers.Where(h => !options.UnsignedHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase));
            var signature = SigV4RequestSigner.Sign("POST", address.AbsolutePath, "", signed, SigV4Crypto.Sha256Hex(body),
                options.AccessKeyId, secretBytes, options.Region, options.Service, amzDate);
            request.Headers.TryAddWithoutValidation("Authorization", options.Authorization ?? signature.Authorization);
        }
        else if (options.Authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", options.Authorization);
        }

        var response = await Http.SendAsync(request);
        return new RawResponse((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
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
