using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class UpdateKeyDescriptionRequest
{
    public required string KeyId { get; init; }
    public required string Description { get; init; }
}

public sealed class UpdateKeyDescription(KmsRuntime runtime) : KmsOperation<UpdateKeyDescriptionRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, UpdateKeyDescriptionRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:UpdateKeyDescription", key, cancellationToken);
        KeyStateRules.EnsureNotPendingDeletion(key);
        await runtime.Store.UpdateKeyAsync(key with { Description = request.Description }, cancellationToken);
        return EmptyResponse.Instance;
    }
}
