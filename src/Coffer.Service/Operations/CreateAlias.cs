using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class CreateAliasRequest
{
    public required string AliasName { get; init; }
    public required string TargetKeyId { get; init; }
}

public sealed class CreateAlias(KmsRuntime runtime) : KmsOperation<CreateAliasRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, CreateAliasRequest request, CancellationToken cancellationToken)
    {
        AliasRules.ValidateName(request.AliasName, creating: true);
        var key = await runtime.Resolver.ResolveAsync(context, request.TargetKeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:CreateAlias", key, cancellationToken);
        await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, "kms:CreateAlias", Arns.Alias(context.Region, context.AccountId, request.AliasName), cancellationToken);
        KeyStateRules.EnsureNotPendingDeletion(key);
        var existing = await runtime.Store.ListAliasesAsync(context.AccountId, context.Region, key.KeyId, null, AliasRules.MaxAliasesPerKey, cancellationToken);
        if (existing.Count >= AliasRules.MaxAliasesPerKey)
        {
            KmsErrors.Throw(KmsErrors.LimitExceeded, $"Cannot create more than {AliasRules.MaxAliasesPerKey} aliases for {key.Arn}.");
        }

        var now = runtime.Clock.GetUtcNow();
        var alias = new KmsAlias
        {
            AccountId = context.AccountId,
            Region = context.Region,
            Name = request.AliasName,
            TargetKeyId = key.KeyId,
            CreationDate = now,
            LastUpdatedDate = now,
        };
        if (!await runtime.Store.TryInsertAliasAsync(alias, cancellationToken))
        {
            KmsErrors.Throw(KmsErrors.AlreadyExists, $"An alias with the name {alias.Arn} already exists");
        }

        return EmptyResponse.Instance;
    }
}
