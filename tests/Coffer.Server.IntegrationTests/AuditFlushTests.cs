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
        // Eight callers write back to back, so the writer never stops: only its own catch-up
        // checkpoint (after the checkpointer's passes) lets the WAL start again from its beginning.
        // SQLite counts those new starts in the WAL's header, which the test reads while the
        // writes go on; how soon they come depends on the machine, so it waits for two, not a time.
        var wal = Path.Combine(_dir, SqliteAuditStore.FileName + "-wal");
        var padding = new string('p', 2000);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await _trail.RecordAsync(Event("Busy") with { UserAgent = padding }).WaitAsync(Patience);
            }
        })).ToArray();

        try
        {
            await CommittedAsync("Busy");
            var first = WalStarts(wal);
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (WalStarts(wal) < first + 2 && DateTime.UtcNow < deadline && !writers.Any(w => w.IsCompleted))
            {
                await Task.Delay(50);
            }

            Assert.True(WalStarts(wal) >= first + 2, $"the WAL started over {WalStarts(wal) - first} times in 90 s of constant writes");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        // It kept the trail whole meanwhile.
        var records = await _store.QueryAsync(new AuditFilter { Limit = 50 });
        Assert.NotEmpty(records);
        AuditWriterTests.AssertChained(records);
    }

    /// <summary>The WAL header's checkpoint sequence number (big-endian, at byte 12): SQLite adds one each time the WAL starts over.</summary>
    private static uint WalStarts(string wal)
    {
        using var file = new FileStream(wal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        file.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
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
