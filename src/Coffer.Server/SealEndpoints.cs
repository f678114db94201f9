using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Audit;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Protocol;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>
/// <c>POST /sys/unseal</c> (one share per call, or <c>{"reset": true}</c>; the shares are the
/// credential) and <c>POST /sys/seal</c> (SigV4-signed by a principal whose IAM policies allow
/// <c>coffer:Seal</c>). Both answer the seal status and are audited like every other request;
/// shares never reach the audit trail or a log.
/// </summary>
internal sealed partial class SealEndpoints(UnsealService unseal, Keyring keyring, SigV4Authenticator authenticator, KmsRuntime runtime, AuditTrail audit, TimeProvider clock,
    Func<IReadOnlyList<string>, CancellationToken, Task<ISeal>> openSeal, string? operatorAccount, ILogger logger)
{
    private const int MaxBody = 8 * 1024;

    public async Task HandleAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString("D");
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        var path = http.Request.Path.Value;
        var sealing = path is "/sys/seal" or "/sys/rotate-domain-key";
        var eventName = path switch
        {
            "/sys/seal" => "Seal",
            "/sys/rotate-domain-key" => "RotateDomainKey",
            _ => "Unseal",
        };
        object? result = null;
        RequestContext? context = null;
        WireResponse response;
        var body = new byte[0];
        try
        {
            if (!HttpMethods.IsPost(http.Request.Method) || http.Request.ContentLength > MaxBody)
            {
                throw new KmsException("ValidationException", "Use POST with a small JSON body.");
            }

            body = await ReadBoundedAsync(http.Request, http.RequestAborted);
            if (sealing)
            {
                var (principal, region, _) = await authenticator.AuthenticateAsync(http.Request, body, ["kms"], http.RequestAborted);
                context = new RequestContext(principal, region, requestId, http.Connection.RemoteIpAddress?.ToString() ?? "", http.Request.IsHttps);
                OperatorAccount.Require(context, operatorAccount, $"coffer:{eventName}");
                await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, $"coffer:{eventName}", "*", http.RequestAborted);
                if (eventName == "Seal")
                {
                    keyring.Seal();
                    unseal.Reset();
                }
                else
                {
                    using var document = ParseObject(body);
                    var shares = document.RootElement.TryGetProperty("shares", out var list) && list.ValueKind == JsonValueKind.Array
                        ? list.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.String ? s.GetString()! : throw InvalidBody()).ToList()
                        : [];
                    using var seal = await openSeal(shares, http.RequestAborted);
                    var outcome = await DomainKeyRotation.RunAsync(runtime.Store, keyring, seal, http.RequestAborted);
                    result = new Dictionary<string, object> { ["domainKeyVersion"] = outcome.Version, ["resealed"] = outcome.Resealed };
                }
            }
            else
            {
                using var document = ParseObject(body);
                var root = document.RootElement;
                if (root.TryGetProperty("reset", out var reset) && reset.ValueKind == JsonValueKind.True)
                {
                    unseal.Reset();
                }
                else if (root.TryGetProperty("share", out var share) && share.ValueKind == JsonValueKind.String)
                {
                    await unseal.SubmitAsync(share.GetString()!, http.RequestAborted);
                }
                else
                {
                    throw InvalidBody();
                }
            }

            response = result is null
                ? new WireResponse(200, "application/json", JsonSerializer.SerializeToUtf8Bytes(HealthStatus.From(unseal.Status, audit), HealthJsonContext.Default.HealthStatus))
                : new WireResponse(200, "application/json", JsonSerializer.SerializeToUtf8Bytes(result));
        }
        catch (KmsException error)
        {
            response = AwsErrorResponse.Create(error.Code, error.WireMessage);
        }
        catch (SealException error)
        {
            response = AwsErrorResponse.Create("InvalidShareException", error.Message);
        }
        catch (JsonException)
        {
            response = AwsErrorResponse.Create("SerializationException", null);
        }
        catch (Exception error) when (error is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            // Whatever went wrong (a failed domain-key rotation, say), the caller gets AWS's error shape and the trail its event.
            LogInternalError(logger, eventName, requestId, error);
            response = AwsErrorResponse.Create(KmsErrors.Internal, "An internal error occurred. Retry the request.");
        }
        finally
        {
            // The body of an unseal call is a share.
            SecretBytes.Zero(body);
        }

        try
        {
            await audit.RecordAsync(new AuditEvent
            {
                EventId = Guid.NewGuid().ToString("D"),
                EventTime = clock.GetUtcNow(),
                EventSource = "coffer.amazonaws.com",
                EventName = eventName,
                AwsRegion = context?.Region ?? "us-east-1",
                UserIdentity = context is null
                    ? new UserIdentity { Type = "Unknown" }
                    : new UserIdentity { Type = "IAMUser", Arn = context.Caller.Arn, AccountId = context.AccountId, AccessKeyId = context.Principal.AccessKeyId, PrincipalId = context.Caller.UserId },
                SourceIpAddress = http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null,
                UserAgent = http.Request.Headers.UserAgent.ToString(),
                RequestParameters = new JsonObject(),
                ErrorCode = response.ErrorCode,
                ErrorMessage = response.ErrorMessage,
                RequestId = requestId,
                RecipientAccountId = context?.AccountId,
            });
        }
        catch (AuditUnavailableException)
        {
            response = AwsErrorResponse.Create(KmsErrors.Internal, "An internal error occurred. Retry the request.");
        }

        http.Response.StatusCode = response.Status;
        http.Response.ContentType = response.ContentType;
        await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
    }

    /// <summary>The body, refused once it passes <see cref="MaxBody"/> bytes, also when it is chunked and states no length.</summary>
    private static async Task<byte[]> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBody + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        try
        {
            return length <= MaxBody ? buffer[..length] : throw new KmsException("ValidationException", "Use POST with a small JSON body.");
        }
        finally
        {
            SecretBytes.Zero(buffer);
        }
    }

    /// <summary>The body as a JSON object; anything else (an array, a number, not JSON) is refused before any member is read.</summary>
    private static JsonDocument ParseObject(byte[] body)
    {
        var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body, new JsonDocumentOptions { MaxDepth = 8 });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw InvalidBody();
        }

        return document;
    }

    private static KmsException InvalidBody() =>
        new("ValidationException", "Send {\"share\": \"coffer-share-v1:…\"} or {\"reset\": true} to /sys/unseal, and {\"shares\": [\"…\"]} to /sys/rotate-domain-key.");

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "{Operation} request {RequestId} failed with an internal error")]
    private static partial void LogInternalError(ILogger logger, string operation, string requestId, Exception error);
}
