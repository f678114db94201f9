using Coffer.Audit;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Rotates the enabled keys whose automatic rotation date has come, each once a pass, recorded as
/// CloudTrail records KMS's own RotateKey. Disabled keys wait: they rotate on the first pass after
/// they are enabled again.
/// </summary>
public sealed class KeyRotationJob(ICofferStore store, KeyRotation rotation, AuditTrail audit, KeyCache keys) : KeyJob(audit, rotation.Clock, keys)
{
    public override string Name => "key rotation";

    protected override string EventName => "RotateKey";

    protected override async ValueTask<IReadOnlyList<KmsKey>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        [.. (await store.ListKeysDueForRotationAsync(now, limit, cancellationToken)).Where(KeyRotation.CanRotate)];

    protected override async ValueTask<bool> ApplyAsync(KmsKey key, CancellationToken cancellationToken) =>
        await rotation.RotateAsync(key, RotationTypes.Automatic, cancellationToken) is not null;
}
