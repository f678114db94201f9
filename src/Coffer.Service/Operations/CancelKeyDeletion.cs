using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class CancelKeyDeletionResponse
{
    public required string KeyId { get; init; }
}

/// <summary>Takes a key out of PendingDeletion; it comes back Disabled, as on AWS.</summary>
public sealed class CancelKeyDeletion(KmsRuntime runtime) : KmsOperation<KeyIdRequest, CancelKeyDeletionResponse>
{
    public override async ValueTask<CancelKeyDeletionResponse> ExecuteAsync(RequestContext context, KeyIdRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:CancelKeyDeletion", key, cancellationToken);
        if (key.State != KeyState.PendingDeletion)
        {
            KmsErrors.Throw(KmsErrors.InvalidState, $"{key.Arn} is not pending deletion.");
        }

        await runtime.Store.UpdateKeyAsync(key with { State = KeyState.Disabled, DeletionDate = null, PendingWindowInDays = null }, cancellationToken);
        return new CancelKeyDeletionResponse { KeyId = key.Arn };
    }
}
