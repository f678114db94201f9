using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class KeyIdRequest
{
    public required string KeyId { get; init; }
}

/// <summary>Enabled from Disabled; idempotent on an enabled key, as on AWS.</summary>
public sealed class EnableKey(KmsRuntime runtime) : KmsOperation<KeyIdRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, KeyIdRequest request, CancellationToken cancellationToken)
    {
        await KeyEnablement.SetAsync(runtime, context, request.KeyId, KeyState.Enabled, cancellationToken);
        return EmptyResponse.Instance;
    }
}
