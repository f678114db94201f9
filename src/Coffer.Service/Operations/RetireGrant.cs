using Coffer.Core;
using Coffer.Policy;
using Coffer.Service.Authorization;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class RetireGrantRequest : IDryRunRequest
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
public sealed class RetireGrant(ICofferStore store, KmsAuthorizer authorizer) : Operation<RetireGrantRequest, EmptyResponse>
{
    public override void Validate(RetireGrantRequest request)
    {
        if (request.GrantToken is not null)
        {
            if (!GrantTokens.TryRead(request.GrantToken, out _))
            {
                KmsErrors.Throw(KmsErrors.InvalidGrantToken, "Invalid grant token");
            }
        }
        else if (request.KeyId is null || request.GrantId is null)
        {
            KmsErrors.ValidationFailed("Grant token OR (grant ID, key ID) must be specified");
        }
    }

    public override async ValueTask CheckAsync(OperationCall call, RetireGrantRequest request)
    {
        var (context, cancellationToken) = (call.Context, call.CancellationToken);
        var grantId = request.GrantToken is not null && GrantTokens.TryRead(request.GrantToken, out var fromToken) ? fromToken : request.GrantId!;
        var grant = await store.FindGrantAsync(grantId, cancellationToken);
        KmsKey? key = null;
        if (request.KeyId is not null)
        {
            key = await call.ResolveAsync(request.KeyId);
            if (grant is not null && grant.KeyId != key.KeyId)
            {
                grant = null;
            }
        }

        if (grant is null)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"Grant ID {grantId} not found");
        }

        key ??= await store.FindKeyAsync(context.Region, grant.KeyId, cancellationToken);
        if (key is null || !await MayRetireAsync(context, grant, key, namedByKeyAndId: request.KeyId is not null, cancellationToken))
        {
            KmsErrors.Throw(KmsErrors.AccessDenied,
                $"User: {context.Caller.Arn} is not authorized to perform: kms:RetireGrant on resource: {grant.GrantId} because it is neither the retiring principal nor a grantee allowed to retire it");
        }

        call.Found = grant;
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, RetireGrantRequest request)
    {
        await store.DeleteGrantAsync(((GrantRecord)call.Found!).GrantId, call.CancellationToken);
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
