using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class UpdateAliasRequest
{
    public required string AliasName { get; init; }
    public required string TargetKeyId { get; init; }
}

/// <summary>Points an alias at another key of the same type and usage.</summary>
public sealed class UpdateAlias(KmsRuntime runtime) : KmsOperation<UpdateAliasRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, UpdateAliasRequest request, CancellationToken cancellationToken)
    {
        AliasRules.ValidateName(request.AliasName, creating: true);
        var alias = await runtime.Store.FindAliasAsync(context.AccountId, context.Region, request.AliasName, cancellationToken);
        if (alias is null)
        {
            KmsErrors.AliasNotFound(Arns.Alias(context.Region, context.AccountId, request.AliasName));
        }

        var key = await runtime.Resolver.ResolveAsync(context, request.TargetKeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        var current = await runtime.Store.FindKeyAsync(context.Region, alias.TargetKeyId, cancellationToken);
        await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, "kms:UpdateAlias", alias.Arn, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:UpdateAlias", key, cancellationToken);
        if (current is not null)
        {
            await runtime.Authorizer.AuthorizeAsync(context, "kms:UpdateAlias", current, cancellationToken);
        }

        KeyStateRules.EnsureNotPendingDeletion(key);
        if (current is not null && (current.KeySpec != key.KeySpec || current.KeyUsage != key.KeyUsage))
        {
            KmsErrors.ValidationFailed($"{key.Arn} must have the same key spec and key usage as the current target key of {alias.Arn}.");
        }

        await runtime.Store.UpdateAliasAsync(alias with { TargetKeyId = key.KeyId, LastUpdatedDate = runtime.Clock.GetUtcNow() }, cancellationToken);
        return EmptyResponse.Instance;
    }
}
