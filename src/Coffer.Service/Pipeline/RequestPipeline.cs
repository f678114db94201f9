using Coffer.Audit;
using Coffer.Core;
using Coffer.Barrier;
using Microsoft.Extensions.Logging;

namespace Coffer.Service.Pipeline;

/// <summary>
/// The one path every request takes, whatever its wire (KMS and CloudTrail JSON, IAM and STS
/// Query, the <c>/sys</c> controls): receive it, refuse it while sealed, authenticate it once,
/// find its row in the operation table, prove its event can be written (state-changing calls),
/// read the typed request, run the operation's steps, and record exactly one audit event before
/// the wire may send anything. If the event cannot be recorded the caller gets a server error
/// instead of the response (fail closed). An unauthenticated caller learns nothing but the
/// authentication error.
/// </summary>
public sealed partial class RequestPipeline(OperationTable table, OperationSteps steps, AuditTrail audit, Keyring keyring, Keys.KeyUsageTracker usage, TimeProvider clock,
    ILogger<RequestPipeline> logger)
{
    private const string SealedMessage = "Coffer is sealed. An operator must unseal it ('coffer unseal') before it serves requests.";
    private const string InternalMessage = "An internal error occurred. Retry the request.";

    public OperationTable Table => table;

    public async Task RunAsync(IApiCall call, CancellationToken cancellationToken)
    {
        var requestId = call.RequestId;
        var received = clock.GetUtcNow();
        RequestContext? context = null;
        OperationSpec? spec = null;
        (string Code, string? Message)? error = null;
        try
        {
            await call.ReceiveAsync(cancellationToken);
            spec = call.FixedService is { } fixedService ? table.Find(fixedService, call.OperationName) : null;
            if (keyring.IsSealed && spec is not { ServesWhileSealed: true })
            {
                throw new SealedException();
            }

            if (spec is not { Access: Access.Unauthenticated })
            {
                var signer = await call.AuthenticateAsync(cancellationToken);
                context = new RequestContext(signer.Principal, signer.Region, requestId, call.SourceIp, call.SecureTransport);
                spec ??= table.Find(signer.Service, call.OperationName) ?? throw call.UnknownOperation(signer.Service);
            }

            spec = spec ?? throw call.UnknownOperation(call.FixedService ?? "");
            audit.EnsureHealthy();
            if (!spec.ReadOnly)
            {
                // Nothing is done that the trail could not record.
                await audit.ProbeAsync(cancellationToken);
            }

            var request = call.ReadRequest(spec);
            var result = await spec.Operation.InvokeAsync(steps, spec, context ?? RequestContext.Anonymous(requestId, call.SourceIp, call.SecureTransport), request,
                cancellationToken);
            call.Succeed(spec, result);
        }
        catch (KmsException failure)
        {
            error = call.Fail(failure.Code, failure.CallerMessage);
        }
        catch (AuditUnavailableException)
        {
            error = call.Fail(KmsErrors.Internal, InternalMessage);
        }
        catch (SealedException)
        {
            // Retryable: SDKs retry 503s, and an operator may unseal meanwhile.
            error = call.Fail(KmsErrors.ServiceUnavailable, SealedMessage);
        }
        catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogInternalError(logger, failure.GetType().Name, requestId, failure);
            error = call.Fail(KmsErrors.Internal, InternalMessage);
        }

        var auditEvent = RequestEvents.For(call, spec, context, error, requestId, received);
        try
        {
            await audit.RecordAsync(auditEvent);
            if (error is null && spec is { Service: "kms" } && context is not null)
            {
                // Only now has the request succeeded: its event is durable. Memory only, never a write per request.
                usage.Record(spec.Name, context.Resources, auditEvent.EventId, requestId, auditEvent.EventTime);
            }
        }
        catch (AuditUnavailableException failure)
        {
            // Fail closed: nothing the request produced leaves the server without its event.
            LogAuditFailure(logger, requestId, failure);
            call.Fail(KmsErrors.Internal, InternalMessage);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Request {RequestId} failed with an internal error ({ErrorType})")]
    private static partial void LogInternalError(ILogger logger, string errorType, string requestId, Exception error);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Critical, Message = "Request {RequestId} was refused: its audit event could not be written")]
    private static partial void LogAuditFailure(ILogger logger, string requestId, Exception error);
}
