using Coffer.Audit;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Destroys keys whose waiting period has passed: the row, its material, tags and aliases go in
/// one transaction, and the cached material is zeroed (crypto-shredding). Each destruction is
/// recorded first, as CloudTrail records KMS's own DeleteKey: a deletion that cannot be recorded
/// does not happen. Idempotent, so running it twice, or on a clock that jumped, is harmless.
/// </summary>
public sealed class KeyDeletionJob(ICofferStore store, KeyMaterialVault vault, AuditTrail audit, TimeProvider clock)
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
            var due = await store.ListKeysDueForDeletionAsync(clock.GetUtcNow(), cancellationToken);
            foreach (var key in due)
            {
                await audit.RecordAsync(KeyDeleted(key, clock.GetUtcNow()));
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

    /// <summary>The event of a destruction: KMS's own action, shaped as CloudTrail logs it.</summary>
    private static AuditEvent KeyDeleted(KmsKey key, DateTimeOffset time) => new()
    {
        EventId = Guid.NewGuid().ToString("D"),
        EventTime = time,
        EventSource = "kms.amazonaws.com",
        EventName = "DeleteKey",
        AwsRegion = key.Region,
        UserIdentity = new UserIdentity { Type = "AWSService", AccountId = key.AccountId, InvokedBy = "kms.amazonaws.com" },
        ResponseElements = null,
        RequestParameters = null,
        ReadOnly = false,
        Resources = [key.Arn],
        EventType = "AwsServiceEvent",
        RecipientAccountId = key.AccountId,
        ErrorMessage = null,
    };
}
