using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Keys;

using Coffer.Service.Authorization;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class CreateAliasRequest : IKeyRequest
{
    public required string AliasName { get; init; }
    public required string TargetKeyId { get; init; }

    string? IKeyRequest.KeyId => TargetKeyId;
}

/// <summary>Names a key; the caller needs kms:CreateAlias on the key (its policy) and on the alias (IAM policies).</summary>
public sealed class CreateAlias(ICofferStore store, KmsAuthorizer authorizer, TimeProvider clock) : Operation<CreateAliasRequest, EmptyResponse>
{
    public override void Validate(CreateAliasRequest request) => AliasRules.ValidateName(request.AliasName, creating: true);

    public override async ValueTask CheckAsync(OperationCall call, CreateAliasRequest request)
    {
        var context = call.Context;
        await authorizer.AuthorizeIdentityOnlyAsync(context, "kms:CreateAlias", Arns.Alias(context.Region, context.AccountId, request.AliasName), call.CancellationToken);
        var existing = await store.ListAliasesAsync(context.AccountId, context.Region, call.Key.KeyId, null, AliasRules.MaxAliasesPerKey, call.CancellationToken);
        if (existing.Count >= AliasRules.MaxAliasesPerKey)
        {
            KmsErrors.Throw(KmsErrors.LimitExceeded, $"Cannot create more than {AliasRules.MaxAliasesPerKey} aliases for {call.Key.Arn}.");
        }
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, CreateAliasRequest request)
    {
        var context = call.Context;
        var now = clock.GetUtcNow();
        var alias = new KmsAlias
        {
            AccountId = context.AccountId,
            Region = context.Region,
            Name = request.AliasName,
            TargetKeyId = call.Key.KeyId,
            CreationDate = now,
            LastUpdatedDate = now,
        };
        if (!await store.TryInsertAliasAsync(alias, call.CancellationToken))
        {
            KmsErrors.Throw(KmsErrors.AlreadyExists, $"An alias with the name {alias.Arn} already exists");
        }

        return EmptyResponse.Instance;
    }
}
