using Coffer.Audit;
using Coffer.Barrier;
using Coffer.Core;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

/// <summary>
/// <c>POST /sys/unseal</c>: one Shamir share per call (or <c>{"reset": true}</c>). The share is
/// the credential, so the call is not signed; once enough shares are in, the server unseals.
/// </summary>
public sealed class Unseal(UnsealService unseal, AuditTrail audit) : Operation<ShareRequest, NodeStatus>
{
    public override void Validate(ShareRequest request)
    {
        if (!request.Reset && request.Share is null)
        {
            KmsErrors.ValidationFailed(
                "Send {\"share\": \"coffer-share-v1:…\"} or {\"reset\": true} to /sys/unseal, and {\"shares\": [\"…\"]} to /sys/rotate-domain-key.");
        }
    }

    public override async ValueTask<NodeStatus> ExecuteAsync(OperationCall call, ShareRequest request)
    {
        if (request.Reset)
        {
            unseal.Reset();
        }
        else
        {
            try
            {
                await unseal.SubmitAsync(request.Share!, call.CancellationToken);
            }
            catch (SealException error)
            {
                throw new KmsException(ErrorCode.InvalidShare, error.Message);
            }
        }

        return NodeStatus.From(unseal.Status, audit);
    }

    public override void Release(ShareRequest request) => request.Dispose();
}
