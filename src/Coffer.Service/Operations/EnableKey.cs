using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Keys;

using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class KeyIdRequest : IKeyRequest
{
    public required string KeyId { get; init; }
}

/// <summary>Enabled from Disabled; idempotent on an enabled key, as on AWS.</summary>
public sealed class EnableKey(ICofferStore store) : Operation<KeyIdRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        await KeyEnablement.SetAsync(store, call, KeyState.Enabled);
        return EmptyResponse.Instance;
    }
}
