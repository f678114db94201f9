using Coffer.Core;
using Coffer.Service.Authorization;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class RetireGrantRequest
{
    public string? GrantToken { get; init; }
    public string? KeyId { get; init; }
    public string? GrantId { get; init; }
    public bool? DryRun { get; init; }
}

/// <summary>
/// Deletes a grant, named by its token or by key and grant id. Only the grant's retiring
/// principal, or its grantee when the grant includes RetireGrant, may retire it.
/// </summary>
public sealed class RetireGrant(KmsRuntime runtime) : KmsOperation<RetireGrantRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, RetireGrantRequest request, CancellationToken cancellationToken)
    {
        string grantId;
        if (request.GrantToken is not null)
        {
            if (!GrantTokens.TryRead(request.GrantToken, out grantId))
            {
                KmsErrors.Throw(KmsErrors.InvalidGrantToken, "Invalid grant token");
            }
        }
        else if (request.KeyId is not null && request.GrantId is not null)
        {
            grantId = request.GrantId;
        }
        else
        {
            KmsErrors.ValidationFailed("Grant token OR (grant ID, key ID) must be specified");
            return null!;
        }

        var grant = await runtime.Store.FindGrantAsync(grantId, cancellationToken);
        if (request.KeyId is not null)
        {
            var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, cancellationToken);
            if (grant is not null && grant.KeyId != key.KeyId)
            {
                grant = null;
            }
        }

        if (grant is null)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"Grant ID {grantId} not found");
        }

        var mayRetire = (grant.RetiringPrincipal is { } retiring && GrantRules.Names(retiring, context.Caller))
            || (grant.Operations.Contains("RetireGrant") && GrantRules.Names(grant.GranteePrincipal, context.Caller));
        if (!mayRetire)
        {
            KmsErrors.Throw(KmsErrors.AccessDenied,
                $"User: {context.Caller.Arn} is not authorized to perform: kms:RetireGrant on resource: {grant.GrantId} because it is neither the retiring principal nor a grantee allowed to retire it");
        }

        if (request.DryRun == true)
        {
            KmsErrors.DryRunSucceeded();
        }

        await runtime.Store.DeleteGrantAsync(grant.GrantId, cancellationToken);
        return EmptyResponse.Instance;
    }
}
