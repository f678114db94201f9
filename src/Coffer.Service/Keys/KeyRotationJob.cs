using Coffer.Audit;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Rotates the enabled keys whose automatic rotation date has come, each once a pass, and records
/// each rotation first, as CloudTrail records KMS's own RotateKey: a rotation that cannot be
/// recorded does not happen. Disabled keys wait: they rotate on the first pass after they are
/// enabled again. A pass takes a bounded batch, so a backlog is worked off over several passes.
/// </summary>
public sealed class KeyRotationJob(ICofferStore store, KeyRotation rotation, AuditTrail audit) : IKeyJob
{
    private const int BatchSize = 100;
    private readonly SemaphoreSlim _running = new(1, 1);

    public string Name => "key rotation";

    public async ValueTask<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            var rotated = 0;
            foreach (var key in await store.ListKeysDueForRotationAsync(rotation.Clock.GetUtcNow(), BatchSize, cancellationToken))
            {
                if (!KeyRotation.CanRotate(key))
                {
                    continue;
                }

                await audit.RecordAsync(KmsServiceEvent.For(key, "RotateKey", rotation.Clock.GetUtcNow()));
                if (await rotation.RotateAsync(key, RotationTypes.Automatic, cancellationToken) is not null)
                {
                    rotated++;
                }
            }

            return rotated;
        }
        finally
        {
            _running.Release();
        }
    }
}
