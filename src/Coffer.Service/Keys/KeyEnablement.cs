using Coffer.Core;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>EnableKey and DisableKey: the same rules towards opposite states, idempotent as on AWS.</summary>
public static class KeyEnablement
{
    public static async ValueTask SetAsync(ICofferStore store, OperationCall call, KeyState target)
    {
        EnsureAllowed(call.Key);
        await KeyRecordUpdate.ApplyAsync(store, call, key => key.State == target ? null : key with { State = target }, EnsureAllowed);
    }

    private static void EnsureAllowed(KmsKey key)
    {
        KeyStateRules.EnsureNotPendingDeletion(key);
        if (key.State == KeyState.PendingImport)
        {
            // A key without material can be neither enabled nor disabled: importing enables it.
            KmsErrors.KeyPendingImport(key.Arn);
        }
    }
}
