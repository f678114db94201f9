using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Keys;

using Coffer.Service.Authorization;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class DeleteAliasRequest
{
    public required string AliasName { get; init; }
}

/// <summary>Deletes an alias; the caller needs kms:DeleteAlias on the alias (IAM policies) and on its key (the key policy).</summary>
public sealed class DeleteAlias(ICofferStore store, KmsAuthorizer authorizer) : Operation<DeleteAliasRequest, EmptyResponse>
{
    public override void Validate(DeleteAliasRequest request) => AliasRules.ValidateName(request.AliasName, creating: true);

    public override async ValueTask CheckAsync(OperationCall call, DeleteAliasRequest request)
    {
        var (context, cancellationToken) = (call.Context, call.CancellationToken);
        var alias = await store.FindAliasAsync(context.AccountId, context.Region, request.AliasName, cancellationToken);
        if (alias is null)
        {
            KmsErrors.AliasNotFound(Arns.Alias(context.Region, context.AccountId, request.AliasName));
        }

        await authorizer.AuthorizeIdentityOnlyAsync(context, "kms:DeleteAlias", alias.Arn, cancellationToken);
        if (await store.FindKeyAsync(context.Region, alias.TargetKeyId, cancellationToken) is { } key)
        {
            await authorizer.AuthorizeAsync(context, "kms:DeleteAlias", key, cancellationToken);
        }

        call.Found = alias;
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, DeleteAliasRequest request)
    {
        var alias = (KmsAlias)call.Found!;
        if (!await store.DeleteAliasAsync(alias.AccountId, alias.Region, alias.Name, call.CancellationToken))
        {
            KmsErrors.AliasNotFound(alias.Arn);
        }

        return EmptyResponse.Instance;
    }
}
