using Coffer.Audit;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Destroys keys whose waiting period has passed: the row, its material, tags and aliases go in
/// one transaction, and the cached material is zeroed (crypto-shredding), each recorded as
/// CloudTrail records KMS's own DeleteKey.
/// </summary>
public sealed class KeyDeletionJob(ICofferStore store, KeyMaterialVault vault, AuditTrail audit, TimeProvider clock, KeyCache keys) : KeyJob(audit, clock, keys)
{
    public override string Name => "key deletion";

    protected override string EventName => "DeleteKey";

    protected override ValueTask<IReadOnlyList<KmsKey>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        store.ListKeysDueForDeletionAsync(now, limit, cancellationToken);

    /// <remarks>
    /// The delete is conditional: a CancelKeyDeletion between the listing and here (or another
    /// node's pass, in the moment a jobs lease changes hands) leaves nothing to delete, and the key
    /// its caller just saved stays.
    /// </remarks>
    protected override async ValueTask<bool> ApplyAsync(KmsKey key, CancellationToken cancellationToken)
    {
        if (!await store.DeleteKeyIfDueAsync(key.KeyId, Clock.GetUtcNow(), cancellationToken))
        {
            return false;
        }

        vault.Forget(key.KeyId);
        return true;
    }
}
