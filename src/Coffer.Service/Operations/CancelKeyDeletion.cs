using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Keys;

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
        EnsurePendingDeletion(call.Key);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<CancelKeyDeletionResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        // A key whose imported material is gone goes back to waiting for it; any other key comes back disabled.
        await KeyRecordUpdate.ApplyAsync(store, call,
            key => key with
            {
                State = key is { Origin: KeyOrigins.External, ExpirationModel: null } ? KeyState.PendingImport : KeyState.Disabled,
                DeletionDate = null,
                PendingWindowInDays = null,
            },
            EnsurePendingDeletion);
        return new CancelKeyDeletionResponse { KeyId = call.Key.Arn };
    }

    private static void EnsurePendingDeletion(KmsKey key)
    {
        if (key.State != KeyState.PendingDeletion)
        {
            KmsErrors.Throw(KmsErrors.InvalidState, $"{key.Arn} is not pending deletion.");
        }
    }
}
