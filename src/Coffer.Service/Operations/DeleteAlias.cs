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
        if (!await runtime.Store.DeleteAliasAsync(context.AccountId, context.Region, request.AliasName, cancellationToken))
        {
            KmsErrors.AliasNotFound(Arns.Alias(context.Region, context.AccountId, request.AliasName));
        }

        return EmptyResponse.Instance;
    }
}
