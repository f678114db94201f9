using System.Net.Http.Headers;
using Coffer.Crypto;
using Coffer.Protocol.SigV4;

namespace Coffer.LoadGen;

/// <summary>
/// Sends KMS JSON 1.1 requests, each freshly signed with SigV4 as an SDK would. The same client
/// drives Coffer and the ceiling, so the client's share of the work is the same for both.
/// </summary>
internal sealed class SignedClient(HttpClient http, string accessKeyId, SecretBytes secret, string region)
{
    public async Task<(int Status, byte[] Body)> SendAsync(Uri endpoint, string operation, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", $"TrentService.{operation}");
        SigV4RequestSigner.Sign(request, body, accessKeyId, secret, region, "kms", sessionToken: null, TimeProvider.System.GetUtcNow());
        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }
}
