using Coffer.Core;
using Coffer.Protocol.Query;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Protocol;

/// <summary>
/// The one AWS endpoint: read the body (bounded), authenticate it with SigV4, then hand it to the
/// protocol of the service it was signed for: AWS JSON 1.1 for <c>kms</c>, the Query protocol for
/// <c>iam</c> and <c>sts</c>. Authentication comes before anything else looks at the request,
/// so an unauthenticated caller learns nothing but the authentication error. Nothing a client
/// sends ends in anything but an AWS error.
/// </summary>
public sealed partial class ApiEndpoint(KmsJsonHandler kms, QueryHandler query, SigV4Authenticator authenticator, ILogger<ApiEndpoint> logger)
{
    /// <summary>The largest body accepted. KMS's biggest request (a 32 KiB policy) is far below it.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private static readonly string[] Services = ["kms", "iam", "sts"];

    public async Task HandleAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString("D");
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        var wire = WireFor(http.Request);
        PooledBody? body;
        try
        {
            body = await BodyReader.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            // Kestrel's own limit (a chunked body past the cap) or a client that sent too slowly.
            body = null;
        }

        if (body is null)
        {
            await wire.WriteErrorAsync(http.Response, "RequestEntityTooLargeException", $"Request body must be no larger than {MaxBodyBytes} bytes.", requestId);
            return;
        }

        try
        {
            var (principal, region, service) = await authenticator.AuthenticateAsync(http.Request, body.Memory, Services, http.RequestAborted);
            var source = http.Connection.RemoteIpAddress;
            var context = new RequestContext(principal, region, requestId, source is null ? "" : (source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source).ToString(),
                http.Request.IsHttps);
            wire = service == "kms" ? kms : query;
            await (service == "kms" ? kms.HandleAsync(http, context, body.Memory) : query.HandleAsync(http, context, service, body.Memory));
        }
        catch (KmsException error)
        {
            await wire.WriteErrorAsync(http.Response, error.Code, error.WireMessage, requestId);
        }
        catch (Exception error) when (error is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            LogInternalError(logger, error.GetType().Name, requestId, error);
            if (!http.Response.HasStarted)
            {
                await wire.WriteErrorAsync(http.Response, KmsErrors.Internal, "An internal error occurred. Retry the request.", requestId);
            }
        }
        finally
        {
            body.Dispose();
        }
    }

    /// <summary>Before authentication, the wire is guessed from the request: form bodies are the Query protocol.</summary>
    private IWireProtocol WireFor(HttpRequest request) =>
        request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true && !request.Headers.ContainsKey("X-Amz-Target")
            ? query
            : kms;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Request {RequestId} failed with an internal error ({ErrorType})")]
    private static partial void LogInternalError(ILogger logger, string errorType, string requestId, Exception error);
}

/// <summary>How one wire protocol writes its errors.</summary>
public interface IWireProtocol
{
    Task WriteErrorAsync(HttpResponse response, string code, string? message, string requestId);
}
