using Coffer.Core;

namespace Coffer.Service.Keys;

/// <summary>
/// Destroys keys whose waiting period has passed: the row, its material, tags and aliases go in
/// one transaction, and the cached material is zeroed (crypto-shredding). Idempotent, so running
/// it twice, or on a clock that jumped, is harmless.
/// </summary>
public sealed class KeyDeletionJob(KmsRuntime runtime, Func<KmsKey, CancellationToken, Task>? beforeDelete = null)
{
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>Runs one pass and returns how many keys it destroyed.</summary>
    public async ValueTask<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        // One pass at a time: two overlapping passes (the timer and an operator's, say) would both
        // find the same due key and record its destruction twice.
        await _running.WaitAsync(cancellationToken);
        try
        {
            var due = await runtime.Store.ListKeysDueForDeletionAsync(runtime.Clock.GetUtcNow(), cancellationToken);
            foreach (var key in due)
            {
                // The audit event comes first: a deletion that cannot be recorded does not happen.
                if (beforeDelete is not null)
                {
                    await beforeDelete(key, cancellationToken);
                }

                await runtime.Store.DeleteKeyAsync(key.KeyId, cancellationToken);
                runtime.Vault.Forget(key.KeyId);
            }

            return due.Count;
        }
        finally
        {
            _running.Release();
        }
    }
}
