using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Audit;
using Coffer.Barrier;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Protocol;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Coffer.Service.Authorization;
using Coffer.Service.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>
/// <c>POST /sys/unseal</c> (one share per call, or <c>{"reset": true}</c>; the shares are the
/// credential) and <c>POST /sys/seal</c> (SigV4-signed by a principal whose IAM policies allow
/// <c>coffer:Seal</c>). Both answer the seal status and are audited like every other request;
/// shares never reach the audit trail or a log.
/// </summary>
internal sealed partial class SealEndpoints(UnsealService unseal, Keyring keyring, SigV4Authenticator authenticator, KmsAuthorizer authorizer, Storage.ICofferStore store, AuditTrail audit, TimeProvider clock,
    Func<IReadOnlyList<SecretBytes>, CancellationToken, Task<ISeal>> openSeal, OperatorAccount operatorAccount, ILogger logger)
{
    private const int MaxBody = 8 * 1024;

    /// <summary>Reads the body into <paramref name="buffer"/>; a length past <see cref="MaxBody"/> means it did not fit.</summary>
    private static async Task<int> ReadBodyAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length;
    }

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
        // The body may hold shares: it is read into one pinned buffer, zeroed below, rather than a
        // growing stream whose discarded copies nobody zeroes. (Kestrel's own receive buffers are
        // pooled memory outside our reach.)
        var buffer = GC.AllocateArray<byte>(MaxBody + 1, pinned: true);
        try
        {
            if (!HttpMethods.IsPost(http.Request.Method) || http.Request.ContentLength > MaxBody)
            {
                throw new KmsException("ValidationException", "Use POST with a small JSON body.");
            }

            var length = await ReadBodyAsync(http.Request.Body, buffer, http.RequestAborted);
            if (length > MaxBody)
            {
                throw new KmsException("ValidationException", "Use POST with a small JSON body.");
            }

            var body = buffer.AsMemory(0, length);

            // As for every state-changing request: nothing is done that the trail could not record.
            audit.EnsureHealthy();
            await audit.ProbeAsync(http.RequestAborted);
            if (sealing)
            {
                var (principal, region, _) = await authenticator.AuthenticateAsync(http.Request, body, ["kms"], http.RequestAborted);
                context = new RequestContext(principal, region, requestId, http.Connection.RemoteIpAddress?.ToString() ?? "", http.Request.IsHttps);
                operatorAccount.Require(context, $"coffer:{eventName}");
                await authorizer.AuthorizeIdentityOnlyAsync(context, $"coffer:{eventName}", "*", http.RequestAborted);
                if (eventName == "Seal")
                {
                    keyring.Clear();
                    unseal.Reset();
                }
                else
                {
                    using var message = ShareMessage.Parse(body.Span);
                    using var seal = await openSeal(message.Shares, http.RequestAborted);
                    var outcome = await DomainKeyRotation.RunAsync(store, keyring, seal, http.RequestAborted);
                    result = new Dictionary<string, object> { ["domainKeyVersion"] = outcome.Version, ["resealed"] = outcome.Reencrypted };
                }
            }
            else
            {
                using var message = ShareMessage.Parse(body.Span);
                if (message.Reset)
                {
                    unseal.Reset();
                }
                else if (message.Share is { } share)
                {
                    await unseal.SubmitAsync(share, http.RequestAborted);
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
            SecretBytes.Zero(buffer);
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

    private static KmsException InvalidBody() =>
        new("ValidationException", "Send {\"share\": \"coffer-share-v1:…\"} or {\"reset\": true} to /sys/unseal, and {\"shares\": [\"…\"]} to /sys/rotate-domain-key.");

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "{Operation} request {RequestId} failed with an internal error")]
    private static partial void LogInternalError(ILogger logger, string operation, string requestId, Exception error);
}
