using Coffer.Service.Keys;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Operations;

/// <summary>Turns automatic rotation off; the versions made so far stay and still decrypt.</summary>
public sealed class DisableKeyRotation(ICofferStore store) : Operation<KeyIdRequest, EmptyResponse>
{
    public override ValueTask CheckAsync(OperationCall call, KeyIdRequest request)
    {
        KeyRotation.EnsureScheduleCanChange(call.Key);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        await store.UpdateRotationScheduleAsync(call.Key.KeyId, null, null, call.CancellationToken);
        return EmptyResponse.Instance;
    }
}
