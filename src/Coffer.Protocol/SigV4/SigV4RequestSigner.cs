using System.Globalization;
using System.Text;
using Coffer.Crypto;

namespace Coffer.Protocol.SigV4;

/// <summary>Signs an outgoing request as an AWS SDK does, for Coffer's own CLI (<c>coffer seal</c>).</summary>
public static class SigV4RequestSigner
{
    public static void Sign(HttpRequestMessage request, byte[] body, string accessKeyId, SecretBytes secret, string region, string service, string? sessionToken, DateTimeOffset now)
    {
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var uri = request.RequestUri!;
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}",
            ["x-amz-date"] = amzDate,
        };
        request.Headers.Add("X-Amz-Date", amzDate);
        if (sessionToken is not null)
        {
            headers["x-amz-security-token"] = sessionToken;
            request.Headers.Add("X-Amz-Security-Token", sessionToken);
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = $"{request.Method.Method}\n{uri.AbsolutePath}\n\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedHeaders}\n{SigV4Crypto.Sha256Hex(body)}";
        var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{SigV4Crypto.Sha256Hex(Encoding.UTF8.GetBytes(canonical))}";
        var signature = SigV4Crypto.Sign(secret, amzDate[..8], region, service, stringToSign);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }
}
