using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Keys;

using Coffer.Storage;

namespace Coffer.Service.Operations;

/// <summary>Disabled from Enabled; idempotent on a disabled key, as on AWS.</summary>
public sealed class DisableKey(ICofferStore store) : Operation<KeyIdRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        await KeyEnablement.SetAsync(store, call, KeyState.Disabled);
        return EmptyResponse.Instance;
    }
}
