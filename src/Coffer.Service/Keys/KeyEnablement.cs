using Coffer.Core;

namespace Coffer.Service.Keys;

/// <summary>EnableKey and DisableKey: the same rules towards opposite states, idempotent as on AWS.</summary>
public static class KeyEnablement
{
    public static async ValueTask SetAsync(KmsRuntime runtime, RequestContext context, string keyId, KeyState target, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, keyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, target == KeyState.Enabled ? "kms:EnableKey" : "kms:DisableKey", key, cancellationToken);
        KeyStateRules.EnsureNotPendingDeletion(key);
        if (key.State != target)
        {
            await runtime.Store.UpdateKeyAsync(key with { State = target }, cancellationToken);
        }
    }
}
