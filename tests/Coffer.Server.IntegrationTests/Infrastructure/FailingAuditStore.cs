using Coffer.Storage;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// The real SQLite audit store, with switches that make appends or flushes fail as a full or
/// broken disk would, or hold flushes as a slow disk would: fault injection for the fail-closed
/// tests, not a stand-in for the store.
/// </summary>
public sealed class FailingAuditStore(IAuditStore inner) : IAuditStore
{
    public volatile bool Fail;

    public ValueTask AppendAsync(
        IReadOnlyList<AuditRecord> records,
        CancellationToken cancellationToken = default,
        Func<(long Sequence, byte[] Hash), IReadOnlyList<AuditRecord>>? rechain = null) =>
        Fail ? throw new IOException("disk full (injected)") : inner.AppendAsync(records, cancellationToken, rechain);

    public ValueTask AppendUnsyncedAsync(
        IReadOnlyList<AuditRecord> records,
        CancellationToken cancellationToken = default,
        Func<(long Sequence, byte[] Hash), IReadOnlyList<AuditRecord>>? rechain = null) =>
        Fail ? throw new IOException("disk full (injected)") : inner.AppendUnsyncedAsync(records, cancellationToken, rechain);

    /// <summary>Makes every flush fail, as a disk that reports a write error at fsync would.</summary>
    public volatile bool FailSync;

    /// <summary>When set, each flush first waits for this semaphore: a slow disk, held still.</summary>
    public SemaphoreSlim? SyncGate { get; set; }

    public async ValueTask SyncAsync(CancellationToken cancellationToken = default)
    {
        if (SyncGate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (FailSync)
        {
            throw new IOException("flush failed (injected)");
        }

        await inner.SyncAsync(cancellationToken);
    }

    public ValueTask ProbeAsync(CancellationToken cancellationToken = default) =>
        Fail ? throw new IOException("disk full (injected)") : inner.ProbeAsync(cancellationToken);

    public ValueTask InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);
    public ValueTask<(long Sequence, byte[] Hash)?> LastAsync(CancellationToken cancellationToken = default) => inner.LastAsync(cancellationToken);
    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken = default) => inner.QueryAsync(filter, cancellationToken);
    public ValueTask AppendDigestAsync(AuditDigestRecord digest, CancellationToken cancellationToken = default) => inner.AppendDigestAsync(digest, cancellationToken);
    public ValueTask<IReadOnlyList<AuditDigestRecord>> ReadDigestsAsync(CancellationToken cancellationToken = default) => inner.ReadDigestsAsync(cancellationToken);
    public ValueTask DeleteThroughAsync(long sequence, CancellationToken cancellationToken = default) => inner.DeleteThroughAsync(sequence, cancellationToken);
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
