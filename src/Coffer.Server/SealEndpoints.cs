using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Audit;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Protocol;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server;

/// <summary>
/// <c>POST /sys/unseal</c> (one share per call, or <c>{"reset": true}</c>; the shares are the
/// credential) and <c>POST /sys/seal</c> (SigV4-signed by a principal whose IAM policies allow
/// <c>coffer:Seal</c>). Both answer the seal status and are audited like every other request;
/// shares never reach the audit trail or a log.
/// </summary>
internal sealed class SealEndpoints(UnsealService unseal, Keyring keyring, SigV4Authenticator authenticator, KmsRuntime runtime, AuditTrail audit, TimeProvider clock,
    Func<IReadOnlyList<string>, CancellationToken, Task<ISeal>> openSeal)
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

            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            body = buffer.ToArray();
            if (sealing)
            {
                var (principal, region, _) = await authenticator.AuthenticateAsync(http.Request, body, ["kms"], http.RequestAborted);
                context = new RequestContext(principal, region, requestId, http.Connection.RemoteIpAddress?.ToString() ?? "", http.Request.IsHttps);
                await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, $"coffer:{eventName}", "*", http.RequestAborted);
                if (eventName == "Seal")
                {
                    keyring.Seal();
                    unseal.Reset();
                }
                else
                {
                    var root = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body).RootElement;
                    var shares = root.TryGetProperty("shares", out var list) && list.ValueKind == JsonValueKind.Array
                        ? list.EnumerateArray().Select(s => s.GetString() ?? "").ToList()
                        : [];
                    using var seal = await openSeal(shares, http.RequestAborted);
                    var outcome = await DomainKeyRotation.RunAsync(runtime.Store, keyring, seal, http.RequestAborted);
                    result = new Dictionary<string, object> { ["domainKeyVersion"] = outcome.Version, ["resealed"] = outcome.Resealed };
                }
            }
            else
            {
                var root = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body).RootElement;
                if (root.TryGetProperty("reset", out var reset) && reset.ValueKind == JsonValueKind.True)
                {
                    unseal.Reset();
                }
                else if (root.TryGetProperty("share", out var share) && share.GetString() is { } text)
                {
                    await unseal.SubmitAsync(text, http.RequestAborted);
                }
                else
                {
                    throw new KmsException("ValidationException", "Send {\"share\": \"coffer-share-v1:…\"} or {\"reset\": true}.");
                }
            }

            response = result is null
                ? new WireResponse(200, "application/json", JsonSerializer.SerializeToUtf8Bytes(HealthStatus.From(unseal.Status), HealthJsonContext.Default.HealthStatus))
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
                SourceIpAddress = http.Connection.RemoteIpAddress?.ToString(),
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
}
