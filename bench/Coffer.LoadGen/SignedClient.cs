using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Coffer.Crypto;

namespace Coffer.LoadGen;

/// <summary>Sends KMS JSON 1.1 requests, each freshly signed with SigV4 as an SDK would.</summary>
internal sealed class SignedClient(HttpClient http, Uri endpoint, string accessKeyId, SecretBytes secret, string region)
{
    public async Task<(int Status, string Body)> SendAsync(string operation, string json, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var now = TimeProvider.System.GetUtcNow();
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var host = $"{endpoint.Host}:{endpoint.Port}";
        var target = $"TrentService.{operation}";
        const string signedHeaders = "content-type;host;x-amz-date;x-amz-target";
        var canonical = $"POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:{host}\nx-amz-date:{amzDate}\nx-amz-target:{target}\n\n{signedHeaders}\n{SigV4Crypto.Sha256Hex(body)}";
        var scope = $"{amzDate[..8]}/{region}/kms/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{SigV4Crypto.Sha256Hex(Encoding.UTF8.GetBytes(canonical))}";
        var signature = SigV4Crypto.Sign(secret, amzDate[..8], region, "kms", stringToSign);

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Date", amzDate);
        request.Headers.Add("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
