using System.Text.RegularExpressions;
using Coffer.Audit;
using Coffer.Barrier;
using Coffer.Core;
using Coffer.Policy;
using Coffer.Protocol.Query;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Coffer.Service.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Protocol;

/// <summary>
/// The one AWS endpoint. For every request, in this order: read the body (bounded); authenticate
/// it with SigV4; hand it to the protocol of the service it was signed for (AWS JSON 1.1 for
/// <c>kms</c> and <c>cloudtrail</c>, Query for <c>iam</c> and <c>sts</c>); record exactly one
/// audit event, durably; only then send the response. If the event cannot be recorded the
/// caller gets a server error instead of the response (fail closed). An unauthenticated caller
/// learns nothing but the authentication error.
/// </summary>
public sealed partial class ApiEndpoint(
    KmsJsonHandler kms, QueryHandler query, CloudTrailHandler cloudTrail, SigV4Authenticator authenticator, AuditTrail audit, Keyring keyring,
    TimeProvider clock, ILogger<ApiEndpoint> logger)
{
    /// <summary>The largest body accepted. KMS's biggest request (a 32 KiB policy) is far below it.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private static readonly string[] Services = ["kms", "iam", "sts", "cloudtrail"];
    private const string SealedMessage = "Coffer is sealed. An operator must unseal it ('coffer unseal') before it serves requests.";

    public async Task HandleAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString("D");
        var received = clock.GetUtcNow();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        IWireProtocol wire = IsQuery(http.Request) ? query : kms;
        var capture = Guess(http.Request);
        RequestContext? context = null;
        PooledBody? body = null;
        WireResponse response;
        try
        {
            body = await ReadBodyAsync(http);
            if (body is null)
            {
                response = wire.Error("RequestEntityTooLargeException", $"Request body must be no larger than {MaxBodyBytes} bytes.", requestId);
            }
            else
            {
                if (wire == query)
                {
                    capture.EventName = AuditEvents.Name(QueryHandler.Parameters(body.Memory).GetValueOrDefault("Action")) ?? capture.EventName;
                }

                if (keyring.IsSealed)
                {
                    throw new SealedException();
                }

                var (principal, region, service) = await authenticator.AuthenticateAsync(http.Request, body.Memory, Services, http.RequestAborted);
                context = new RequestContext(principal, region, requestId, SourceIp(http), http.Request.IsHttps);
                capture.Region = region;
                capture.EventSource = $"{service}.amazonaws.com";
                wire = service is "iam" or "sts" ? query : kms;
                if (wire == kms)
                {
                    Json.SurrogateEscapes.PrepareBody(body.Span);
                }

                audit.EnsureHealthy();
                if (!ReadOnly(http.Request, service, capture))
                {
                    await audit.ProbeAsync(http.RequestAborted);
                }

                response = service switch
                {
                    "kms" => await kms.HandleAsync(http, context, body.Memory, capture),
                    "cloudtrail" => await cloudTrail.HandleAsync(http, context, body.Memory, capture),
                    _ => await query.HandleAsync(http, context, service, body.Memory, capture),
                };
            }
        }
        catch (KmsException error)
        {
            response = wire.Error(error.Code, error.WireMessage, requestId);
        }
        catch (AuditUnavailableException)
        {
            response = wire.Error(KmsErrors.Internal, "An internal error occurred. Retry the request.", requestId);
        }
        catch (SealedException)
        {
            // Retryable: SDKs retry 503s, and an operator may unseal meanwhile.
            response = wire.Error("ServiceUnavailableException", SealedMessage, requestId);
        }
        catch (Exception error) when (error is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            LogInternalError(logger, error.GetType().Name, requestId, error);
            response = wire.Error(KmsErrors.Internal, "An internal error occurred. Retry the request.", requestId);
        }
        finally
        {
            body?.Dispose();
        }

        try
        {
            await audit.RecordAsync(AuditEvents.ForRequest(http, capture, context, response, requestId, received));
        }
        catch (AuditUnavailableException error)
        {
            // Fail closed: nothing the request produced leaves the server without its event.
            LogAuditFailure(logger, requestId, error);
            response.Zero();
            response = wire.Error(KmsErrors.Internal, "An internal error occurred. Retry the request.", requestId);
        }

        try
        {
            http.Response.StatusCode = response.Status;
            http.Response.ContentType = response.ContentType;
            http.Response.ContentLength = response.Body.Length;
            await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
        }
        finally
        {
            response.Zero();
        }
    }

    private static async Task<PooledBody?> ReadBodyAsync(HttpContext http)
    {
        try
        {
            return await BodyReader.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            // Kestrel's own limit (a chunked body past the cap) or a client that sent too slowly.
            return null;
        }
    }

    /// <summary>Whether a request can change state; those are preceded by a proof that their event can be written.</summary>
    private static bool ReadOnly(HttpRequest request, string service, AuditCapture capture) => service switch
    {
        "kms" => KmsJsonHandler.OperationName(request) is { } name && KmsJsonHandler.IsReadOnly(name),
        "cloudtrail" => true,
        _ => capture.EventName.StartsWith("Get", StringComparison.Ordinal) || capture.EventName.StartsWith("List", StringComparison.Ordinal),
    };

    private static bool IsQuery(HttpRequest request) =>
        request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true && !request.Headers.ContainsKey("X-Amz-Target");

    /// <summary>What an event can say about a request before (or without) authentication.</summary>
    private static AuditCapture Guess(HttpRequest request)
    {
        var capture = new AuditCapture { EventName = AuditEvents.Name(KmsJsonHandler.OperationName(request)) ?? "Unknown" };
        var scope = CredentialScope().Match(request.Headers.Authorization.ToString());
        if (scope.Success)
        {
            // Unauthenticated text: kept only when it has the shape it claims, so no caller can
            // make the trail store kilobytes per request.
            capture.AccessKeyId = AccessKeyDirectory.IsAccessKeyIdForm(scope.Groups["key"].Value) ? scope.Groups["key"].Value : null;
            capture.Region = scope.Groups["region"].Value is { Length: <= AuditEvents.MaxRegionLength } region ? region : capture.Region;
            capture.EventSource = $"{scope.Groups["service"].Value}.amazonaws.com";
        }

        if (request.Headers["X-Amz-Target"].ToString().Contains("CloudTrail", StringComparison.Ordinal))
        {
            capture.EventSource = "cloudtrail.amazonaws.com";
            capture.EventName = "LookupEvents";
        }

        return capture;
    }

    private static string SourceIp(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        return address is null ? "" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    [GeneratedRegex(@"Credential=(?<key>[^/,\s]+)/[^/]*/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/")]
    private static partial Regex CredentialScope();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Request {RequestId} failed with an internal error ({ErrorType})")]
    private static partial void LogInternalError(ILogger logger, string errorType, string requestId, Exception error);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Critical, Message = "Request {RequestId} was refused: its audit event could not be written")]
    private static partial void LogAuditFailure(ILogger logger, string requestId, Exception error);
}

/// <summary>Builds the CloudTrail-shaped event of a request.</summary>
internal static class AuditEvents
{
    /// <summary>The longest region name kept from an unauthenticated credential scope.</summary>
    public const int MaxRegionLength = 32;

    private const int MaxNameLength = 64;

    /// <summary>An operation or action name as given, when it looks like one (letters only, short); else null.</summary>
    public static string? Name(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(char.IsAsciiLetter) ? name : null;

    public static AuditEvent ForRequest(HttpContext http, AuditCapture capture, RequestContext? context, WireResponse response, string requestId, DateTimeOffset time) => new()
    {
        EventId = Guid.NewGuid().ToString("D"),
        EventTime = time,
        EventSource = capture.EventSource,
        EventName = capture.EventName,
        AwsRegion = capture.Region,
        UserIdentity = context is null ? new UserIdentity { Type = "Unknown", AccessKeyId = capture.AccessKeyId } : Identity(context),
        SourceIpAddress = http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null,
        UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
        RequestParameters = capture.RequestParameters,
        ResponseElements = response.ErrorCode is null ? capture.ResponseElements : null,
        ErrorCode = response.ErrorCode,
        ErrorMessage = response.ErrorMessage,
        RequestId = requestId,
        ReadOnly = capture.ReadOnly,
        Resources = context?.Resources ?? [],
        RecipientAccountId = context?.AccountId,
    };

    private static UserIdentity Identity(RequestContext context)
    {
        var caller = context.Caller;
        return caller.Kind switch
        {
            CallerKind.AssumedRole => new UserIdentity
            {
                Type = "AssumedRole",
                PrincipalId = caller.UserId,
                Arn = caller.Arn,
                AccountId = caller.AccountId,
                AccessKeyId = context.Principal.AccessKeyId,
                SessionIssuer = new SessionIssuer(caller.UserId.Split(':')[0], caller.RoleArn!, caller.AccountId, caller.RoleArn![(caller.RoleArn!.LastIndexOf('/') + 1)..]),
            },
            CallerKind.Account => new UserIdentity
            {
                Type = "Root", PrincipalId = caller.AccountId, Arn = caller.Arn, AccountId = caller.AccountId, AccessKeyId = context.Principal.AccessKeyId,
            },
            _ => new UserIdentity
            {
                Type = "IAMUser", PrincipalId = caller.UserId, Arn = caller.Arn, AccountId = caller.AccountId, AccessKeyId = context.Principal.AccessKeyId,
                UserName = caller.UserName,
            },
        };
    }
}
