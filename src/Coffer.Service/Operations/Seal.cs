using Coffer.Audit;
using Coffer.Barrier;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

/// <summary>
/// <c>POST /sys/seal</c>: drops the keyring, so the node holds no key and serves nothing secret
/// until it is unsealed again. Reserved to the operator account.
/// </summary>
public sealed class Seal(Keyring keyring, UnsealService unseal, AuditTrail audit) : Operation<ShareRequest, NodeStatus>
{
    public override ValueTask<NodeStatus> ExecuteAsync(OperationCall call, ShareRequest request)
    {
        keyring.Clear();
        unseal.Reset();
        return ValueTask.FromResult(NodeStatus.From(unseal.Status, audit));
    }

    public override void Release(ShareRequest request) => request.Dispose();
}
