using Coffer.Audit;
using Coffer.Server.IntegrationTests.Infrastructure;
using Coffer.Storage;
using Coffer.Storage.Sqlite;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// The audit trail's flush, which runs beside the next commit: on a real SQLite trail, with the
/// flush held still or made to fail.
/// </summary>
public sealed class AuditFlushTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly string _dir = Directory.CreateTempSubdirectory("coffer-flush-").FullName;
    private FailingAuditStore _store = null!;
    private AuditTrail _trail = null!;

    public async Task InitializeAsync()
    {
        _store = new FailingAuditStore(SqliteAuditStore.InDirectory(_dir));
        _trail = await AuditTrail.OpenAsync(_store);
    }

    public async Task DisposeAsync()
    {
        _store.SyncGate?.Release(100);
        await _trail.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task No_event_is_acknowledged_before_its_flush_and_the_next_batch_is_committed_meanwhile()
    {
        _store.SyncGate = new SemaphoreSlim(0);

        var first = _trail.RecordAsync(Event("First"));
        await CommittedAsync("First");
        var second = _trail.RecordAsync(Event("Second"));

        // The writer committed the second batch while the first one's flush was held.
        await CommittedAsync("Second");
        await Task.Delay(100);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        _store.SyncGate.Release(2);
        await first.WaitAsync(Patience);
        await second.WaitAsync(Patience);
        Assert.True(_trail.Healthy);
    }

    [Fact]
    public async Task A_failed_flush_fails_the_requests_it_covered_and_the_trail_recovers_on_the_next()
    {
        _store.FailSync = true;
        await Assert.ThrowsAsync<AuditUnavailableException>(() => _trail.RecordAsync(Event("Unflushed")).WaitAsync(Patience));
        Assert.False(_trail.Healthy);
        Assert.Throws<AuditUnavailableException>(() => _trail.EnsureHealthy());

        _store.FailSync = false;
        await _trail.RecordAsync(Event("Flushed")).WaitAsync(Patience);
        Assert.True(_trail.Healthy);
        Assert.False(_trail.WriterStopped);

        // Both were committed, in order, on one chain: the failed flush answered its request with an error, it did not fork the trail.
        var records = await _store.QueryAsync(new AuditFilter { Limit = 10 });
        Assert.Equal(["Unflushed", "Flushed"], records.Select(r => r.EventName));
        AuditWriterTests.AssertChained(records);
    }

    [Fact]
    public async Task The_WAL_starts_over_under_constant_writes_instead_of_growing_with_the_trail()
    {
        // Eight callers writing back to back for six seconds (the checkpointer runs once a second): the
        // writer never stops, so only its own catch-up checkpoint (after the checkpointer's) lets the
        // WAL start again from its beginning.
        var until = DateTime.UtcNow.AddSeconds(6);
        var padding = new string('p', 2000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (DateTime.UtcNow < until)
            {
                await _trail.RecordAsync(Event("Busy") with { UserAgent = padding }).WaitAsync(Patience);
            }
        })));

        var database = new FileInfo(Path.Combine(_dir, SqliteAuditStore.FileName)).Length;
        var wal = new FileInfo(Path.Combine(_dir, SqliteAuditStore.FileName + "-wal")).Length;
        Assert.True(database > 2 * 1024 * 1024, $"only {database} bytes were written; the test needs more to mean anything");
        // The WAL file keeps its largest size when it starts over, so this is its high-water mark: it must not hold the trail.
        Assert.True(wal < database, $"the WAL is {wal} bytes beside a database of {database}: it was not started over");
    }

    private async Task CommittedAsync(string name)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!(await _store.QueryAsync(new AuditFilter { EventName = name, Limit = 1 })).Any())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static AuditEvent Event(string name) => AuditWriterTests.Event(name);
}
