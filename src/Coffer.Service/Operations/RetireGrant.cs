using Coffer.Core;
using Coffer.Policy;
using Coffer.Service.Keys;
using Coffer.Storage;

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
        KmsKey? key = null;
        if (request.KeyId is not null)
        {
            key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.Yes, cancellationToken);
            if (grant is not null && grant.KeyId != key.KeyId)
            {
                grant = null;
            }
        }

        if (grant is null)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"Grant ID {grantId} not found");
        }

        key ??= await runtime.Store.FindKeyAsync(context.Region, grant.KeyId, cancellationToken);
        if (key is null || !await MayRetireAsync(context, grant, key, namedByKeyAndId: request.KeyId is not null, cancellationToken))
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

    /// <summary>
    /// AWS's rule: the retiring principal; the grantee, when the grant includes RetireGrant; and,
    /// naming the grant by key and grant id, the account that owns the key (its root user, or a
    /// principal of it whose IAM policies allow kms:RetireGrant on the key).
    /// </summary>
    private async ValueTask<bool> MayRetireAsync(RequestContext context, GrantRecord grant, KmsKey key, bool namedByKeyAndId, CancellationToken cancellationToken)
    {
        const string action = "kms:RetireGrant";
        var authorizer = runtime.Authorizer;
        if (grant.RetiringPrincipal is { } retiring && await authorizer.GrantPrincipalNamesAsync(context, retiring, action, key.Arn, cancellationToken))
        {
            return true;
        }

        if (grant.Operations.Contains("RetireGrant") && await authorizer.GrantPrincipalNamesAsync(context, grant.GranteePrincipal, action, key.Arn, cancellationToken))
        {
            return true;
        }

        return namedByKeyAndId && key.AccountId == context.AccountId
            && (context.Caller.Kind == CallerKind.Account
                || await authorizer.IdentityDecisionAsync(context, action, key.Arn, cancellationToken) == IdentityDecision.Allow);
    }
}
