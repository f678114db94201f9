using Coffer.Service.Pipeline;

namespace Coffer.Service.Iam;

/// <summary>
/// An IAM or STS action: its parameters in, the service's result out (null for actions that
/// answer with no result element). The service method authorizes, since IAM's resources are
/// the principals it names (the table row says <see cref="Access.Operation"/>).
/// </summary>
public sealed class IamOperation(Func<RequestContext, IamRequest, CancellationToken, ValueTask<object?>> run) : Operation<IamRequest, IamResult>
{
    public override async ValueTask<IamResult> ExecuteAsync(OperationCall call, IamRequest request) =>
        new(await run(call.Context, request, call.CancellationToken));
}

/// <summary>What an IAM or STS action answered; the wire writes it in the action's result element.</summary>
public sealed record IamResult(object? Value);
