using Coffer.Service.Pipeline;
using Coffer.Core;

using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class CancelKeyDeletionResponse
{
    public required string KeyId { get; init; }
}

/// <summary>Takes a key out of PendingDeletion; it comes back Disabled, as on AWS.</summary>
public sealed class CancelKeyDeletion(ICofferStore store) : Operation<KeyIdRequest, CancelKeyDeletionResponse>
{
    public override ValueTask CheckAsync(OperationCall call, KeyIdRequest request)
    {
        if (call.Key.State != KeyState.PendingDeletion)
        {
            KmsErrors.Throw(KmsErrors.InvalidState, $"{call.Key.Arn} is not pending deletion.");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<CancelKeyDeletionResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        // A key whose imported material is gone goes back to waiting for it; any other key comes back disabled.
        var state = call.Key is { Origin: KeyOrigins.External, ExpirationModel: null } ? KeyState.PendingImport : KeyState.Disabled;
        await store.UpdateKeyAsync(call.Key with { State = state, DeletionDate = null, PendingWindowInDays = null }, call.CancellationToken);
        return new CancelKeyDeletionResponse { KeyId = call.Key.Arn };
    }
}
