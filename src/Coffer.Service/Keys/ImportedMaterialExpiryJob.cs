using Coffer.Audit;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Destroys imported material whose ValidTo has passed, as AWS does, recorded as CloudTrail records
/// KMS's own DeleteExpiredKeyMaterial. The key waits in PendingImport until the same material is
/// imported again.
/// </summary>
public sealed class ImportedMaterialExpiryJob(ICofferStore store, KeyImporter importer, AuditTrail audit, KeyCache keys) : KeyJob(audit, importer.Clock, keys)
{
    public override string Name => "imported material expiry";

    protected override string EventName => "DeleteExpiredKeyMaterial";

    protected override ValueTask<IReadOnlyList<KmsKey>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        store.ListKeysWithExpiredMaterialAsync(now, limit, cancellationToken);

    protected override async ValueTask<bool> ApplyAsync(KmsKey key, CancellationToken cancellationToken)
    {
        await importer.DeleteExpiredAsync(key, cancellationToken);
        return true;
    }
}
