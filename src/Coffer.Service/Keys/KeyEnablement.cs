using Coffer.Core;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>EnableKey and DisableKey: the same rules towards opposite states, idempotent as on AWS.</summary>
public static class KeyEnablement
{
    public static async ValueTask SetAsync(ICofferStore store, OperationCall call, KeyState target)
    {
        if (call.Key.State == KeyState.PendingImport)
        {
            // A key without material can be neither enabled nor disabled: importing enables it.
            KmsErrors.KeyPendingImport(call.Key.Arn);
        }

        if (call.Key.State != target)
        {
            await store.UpdateKeyAsync(call.Key with { State = target }, call.CancellationToken);
        }
    }
}
