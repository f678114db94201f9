using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class DeleteAliasRequest
{
    public required string AliasName { get; init; }
}

public sealed class DeleteAlias(KmsRuntime runtime) : KmsOperation<DeleteAliasRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, DeleteAliasRequest request, CancellationToken cancellationToken)
    {
        AliasRules.ValidateName(request.AliasName, creating: true);
        var alias = await runtime.Store.FindAliasAsync(context.AccountId, context.Region, request.AliasName, cancellationToken);
        if (alias is null)
        {
            KmsErrors.AliasNotFound(Arns.Alias(context.Region, context.AccountId, request.AliasName));
        }

        await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, "kms:DeleteAlias", alias.Arn, cancellationToken);
        if (await runtime.Store.FindKeyAsync(context.Region, alias.TargetKeyId, cancellationToken) is { } key)
        {
            await runtime.Authorizer.AuthorizeAsync(context, "kms:DeleteAlias", key, cancellationToken);
        }

        if (!await runtime.Store.DeleteAliasAsync(context.AccountId, context.Region, request.AliasName, cancellationToken))
        {
            KmsErrors.AliasNotFound(alias.Arn);
        }

        return EmptyResponse.Instance;
    }
}
