using System.Net.Http.Headers;
using System.Text;
using Coffer.Crypto;
using Coffer.Protocol.SigV4;

namespace Coffer.LoadGen;

/// <summary>Sends KMS JSON 1.1 requests, each freshly signed with SigV4 as an SDK would.</summary>
internal sealed class SignedClient(HttpClient http, Uri endpoint, string accessKeyId, SecretBytes secret, string region)
{
    public async Task<(int Status, string Body)> SendAsync(string operation, string json, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", $"TrentService.{operation}");
        SigV4RequestSigner.Sign(request, body, accessKeyId, secret, region, "kms", sessionToken: null, TimeProvider.System.GetUtcNow());
        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
