using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

/// <summary>Disabled from Enabled; idempotent on a disabled key, as on AWS.</summary>
public sealed class DisableKey(KmsRuntime runtime) : KmsOperation<KeyIdRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, KeyIdRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, cancellationToken);
        KeyStateRules.EnsureNotPendingDeletion(key);
        if (key.State != KeyState.Disabled)
        {
            await runtime.Store.UpdateKeyAsync(key with { State = KeyState.Disabled }, cancellationToken);
        }

        return EmptyResponse.Instance;
    }
}
