using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

/// <summary>Disabled from Enabled; idempotent on a disabled key, as on AWS.</summary>
public sealed class DisableKey(KmsRuntime runtime) : KmsOperation<KeyIdRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, KeyIdRequest request, CancellationToken cancellationToken)
    {
        await KeyEnablement.SetAsync(runtime, context, request.KeyId, KeyState.Disabled, cancellationToken);
        return EmptyResponse.Instance;
    }
}
