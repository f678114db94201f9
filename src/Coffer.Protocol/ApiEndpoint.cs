using Coffer.Protocol.Json;
using Coffer.Protocol.Query;
using Coffer.Protocol.SigV4;
using Coffer.Protocol.Sys;
using Coffer.Service.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol;

/// <summary>
/// The one endpoint: it picks the wire a request speaks (the operator's <c>/sys</c> controls, Query
/// for form-encoded IAM and STS calls, JSON 1.1 for everything else), hands the request to the pipeline, and writes what the
/// pipeline decided once its event is durable. It decides nothing itself.
/// </summary>
public sealed class ApiEndpoint(RequestPipeline pipeline, SigV4Authenticator authenticator)
{
    /// <summary>The largest body accepted. KMS's biggest request (a 32 KiB policy) is far below it.</summary>
    public const int MaxBodyBytes = HttpApiCall.MaxBodyBytes;

    public async Task HandleAsync(HttpContext http)
    {
        using HttpApiCall call = SysApiCall.Handles(http.Request.Path) ? new SysApiCall(http, authenticator)
            : IsQuery(http.Request) ? new QueryApiCall(http, authenticator)
            : new JsonApiCall(http, authenticator);
        await pipeline.RunAsync(call, http.RequestAborted);
        await call.WriteAsync();
    }

    private static bool IsQuery(HttpRequest request) =>
        request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true && !request.Headers.ContainsKey("X-Amz-Target");
}
