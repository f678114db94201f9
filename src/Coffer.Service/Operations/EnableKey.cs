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
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, cancellationToken);
        KeyStateRules.EnsureNotPendingDeletion(key);
        if (key.State != KeyState.Enabled)
        {
            await runtime.Store.UpdateKeyAsync(key with { State = KeyState.Enabled }, cancellationToken);
        }

        return EmptyResponse.Instance;
    }
}
