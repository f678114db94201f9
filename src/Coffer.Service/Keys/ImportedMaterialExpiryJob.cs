using Coffer.Audit;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Destroys imported material whose ValidTo has passed, as AWS does, recording each as CloudTrail
/// records KMS's own DeleteExpiredKeyMaterial, before it happens. The key waits in PendingImport
/// until the same material is imported again. A bounded batch a pass.
/// </summary>
public sealed class ImportedMaterialExpiryJob(ICofferStore store, KeyImporter importer, AuditTrail audit) : IKeyJob
{
    private const int BatchSize = 100;
    private readonly SemaphoreSlim _running = new(1, 1);

    public string Name => "imported material expiry";

    public async ValueTask<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            var expired = await store.ListKeysWithExpiredMaterialAsync(importer.Clock.GetUtcNow(), BatchSize, cancellationToken);
            foreach (var key in expired)
            {
                await audit.RecordAsync(KmsServiceEvent.For(key, "DeleteExpiredKeyMaterial", importer.Clock.GetUtcNow()));
                await importer.DeleteMaterialAsync(key, cancellationToken);
            }

            return expired.Count;
        }
        finally
        {
            _running.Release();
        }
    }
}
