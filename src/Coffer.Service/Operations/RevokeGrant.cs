using Coffer.Service.Pipeline;
using Coffer.Core;

using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class RevokeGrantRequest : IKeyRequest, IDryRunRequest
{
    public required string KeyId { get; init; }
    public required string GrantId { get; init; }
    public bool? DryRun { get; init; }
}

/// <summary>Deletes a grant, for callers the key policy or IAM lets revoke. It stops working at once.</summary>
public sealed class RevokeGrant(ICofferStore store) : Operation<RevokeGrantRequest, EmptyResponse>
{
    public override async ValueTask CheckAsync(OperationCall call, RevokeGrantRequest request)
    {
        var grant = await store.FindGrantAsync(request.GrantId, call.CancellationToken);
        if (grant is null || grant.KeyId != call.Key.KeyId)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"Grant ID {request.GrantId} not found");
        }
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, RevokeGrantRequest request)
    {
        await store.DeleteGrantAsync(request.GrantId, call.CancellationToken);
        return EmptyResponse.Instance;
    }
}
