using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class RevokeGrantRequest
{
    public required string KeyId { get; init; }
    public required string GrantId { get; init; }
    public bool? DryRun { get; init; }
}

/// <summary>Deletes a grant, for callers the key policy or IAM lets revoke. It stops working at once.</summary>
public sealed class RevokeGrant(KmsRuntime runtime) : KmsOperation<RevokeGrantRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, RevokeGrantRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.Yes, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:RevokeGrant", key, cancellationToken);
        var grant = await runtime.Store.FindGrantAsync(request.GrantId, cancellationToken);
        if (grant is null || grant.KeyId != key.KeyId)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"Grant ID {request.GrantId} not found");
        }

        if (request.DryRun == true)
        {
            KmsErrors.DryRunSucceeded();
        }

        await runtime.Store.DeleteGrantAsync(grant.GrantId, cancellationToken);
        return EmptyResponse.Instance;
    }
}
