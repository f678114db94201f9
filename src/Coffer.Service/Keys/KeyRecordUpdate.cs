using Coffer.Core;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Writes a change of a key's description, state or deletion date as a compare-and-set on the state
/// and description the request decided on. The request's copy of the key may be older than the store's (it came from
/// the one-second cache, or another request changed the key in between, through this node or
/// another): then the key is read again, the operation's state rule is checked on what is stored
/// now, and the change is applied to that. So racing changes end as if one came after the other,
/// as on AWS, and none is lost: a DisableKey that loses to a ScheduleKeyDeletion is refused with
/// KMSInvalidStateException rather than writing Disabled over PendingDeletion.
/// </summary>
public static class KeyRecordUpdate
{
    /// <summary>Each retry means another request changed the key's state meanwhile; this many in a row is a storm, not a race.</summary>
    private const int MaxAttempts = 8;

    /// <param name="store">Where the key lives.</param>
    /// <param name="call">The request, with the key as it read it.</param>
    /// <param name="change">The key as this operation leaves it, given the key as it stands; null when there is nothing to write.</param>
    /// <param name="ensureAllowed">The operation's key-state rule, throwing the AWS error for a state it does not accept.</param>
    /// <returns>The key as written (or as it stood, when there was nothing to write).</returns>
    public static async ValueTask<KmsKey> ApplyAsync(ICofferStore store, OperationCall call, Func<KmsKey, KmsKey?> change, Action<KmsKey> ensureAllowed)
    {
        var key = call.Key;
        for (var attempt = 1; ; attempt++)
        {
            if (change(key) is not { } updated)
            {
                return key;
            }

            if (await store.UpdateKeyAsync(updated, key, call.CancellationToken))
            {
                return updated;
            }

            if (attempt == MaxAttempts)
            {
                KmsErrors.Throw(KmsErrors.InvalidState, $"{key.Arn} changed state while this request ran; try again.");
            }

            var stored = await store.FindKeyAsync(key.Region, key.KeyId, call.CancellationToken);
            if (stored is null)
            {
                KmsErrors.KeyNotFound(key.Arn);
            }

            key = stored!;
            ensureAllowed(key);
        }
    }
}
