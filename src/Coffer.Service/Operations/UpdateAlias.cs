using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Keys;

using Coffer.Service.Authorization;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class UpdateAliasRequest
{
    public required string AliasName { get; init; }
    public required string TargetKeyId { get; init; }
}

/// <summary>
/// Points an alias at another key of the same type and usage. Three resources are authorized:
/// the alias (IAM policies), the new target and the current target (their key policies).
/// </summary>
public sealed class UpdateAlias(ICofferStore store, KmsAuthorizer authorizer, TimeProvider clock) : Operation<UpdateAliasRequest, EmptyResponse>
{
    public override void Validate(UpdateAliasRequest request) => AliasRules.ValidateName(request.AliasName, creating: true);

    public override async ValueTask CheckAsync(OperationCall call, UpdateAliasRequest request)
    {
        var (context, cancellationToken) = (call.Context, call.CancellationToken);
        var alias = await store.FindAliasAsync(context.AccountId, context.Region, request.AliasName, cancellationToken);
        if (alias is null)
        {
            KmsErrors.AliasNotFound(Arns.Alias(context.Region, context.AccountId, request.AliasName));
        }

        var key = await call.ResolveAsync(request.TargetKeyId);
        var current = await store.FindKeyAsync(context.Region, alias.TargetKeyId, cancellationToken);
        await authorizer.AuthorizeIdentityOnlyAsync(context, "kms:UpdateAlias", alias.Arn, cancellationToken);
        await authorizer.AuthorizeAsync(context, "kms:UpdateAlias", key, cancellationToken);
        if (current is not null)
        {
            await authorizer.AuthorizeAsync(context, "kms:UpdateAlias", current, cancellationToken);
        }

        OperationSteps.EnsureState(KeyStateRule.NotPendingDeletion, key);
        if (current is not null && (current.KeySpec != key.KeySpec || current.KeyUsage != key.KeyUsage))
        {
            KmsErrors.ValidationFailed($"{key.Arn} must have the same key spec and key usage as the current target key of {alias.Arn}.");
        }

        call.Key = key;
        call.Found = alias;
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, UpdateAliasRequest request)
    {
        var alias = (KmsAlias)call.Found!;
        await store.UpdateAliasAsync(alias with { TargetKeyId = call.Key.KeyId, LastUpdatedDate = clock.GetUtcNow() }, call.CancellationToken);
        return EmptyResponse.Instance;
    }
}
