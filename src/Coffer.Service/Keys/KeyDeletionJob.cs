using Coffer.Audit;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Destroys keys whose waiting period has passed: the row, its material, tags and aliases go in
/// one transaction, and the cached material is zeroed (crypto-shredding). Each destruction is
/// recorded first, as CloudTrail records KMS's own DeleteKey: a deletion that cannot be recorded
/// does not happen. Idempotent, so running it twice, or on a clock that jumped, is harmless.
/// </summary>
public sealed class KeyDeletionJob(ICofferStore store, KeyMaterialVault vault, AuditTrail audit, TimeProvider clock) : IKeyJob
{
    public string Name => "key deletion";

    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>Runs one pass and returns how many keys it destroyed.</summary>
    public async ValueTask<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        // One pass at a time: two overlapping passes (the timer and an operator's, say) would both
        // find the same due key and record its destruction twice.
        await _running.WaitAsync(cancellationToken);
        try
        {
            var due = await store.ListKeysDueForDeletionAsync(clock.GetUtcNow(), cancellationToken);
            foreach (var key in due)
            {
                await audit.RecordAsync(KmsServiceEvent.For(key, "DeleteKey", clock.GetUtcNow()));
                await store.DeleteKeyAsync(key.KeyId, cancellationToken);
                vault.Forget(key.KeyId);
            }

            return due.Count;
        }
        finally
        {
            _running.Release();
        }
    }
}
