using Coffer.Storage.Postgres;
using Coffer.Storage.Sqlite;

namespace Coffer.Storage.Tests;

/// <summary>What every <see cref="IAuditStore"/> engine must do; each engine's subclass says how to open a fresh trail.</summary>
public abstract class AuditStoreConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);

    protected IAuditStore Store { get; private set; } = null!;

    protected abstract IAuditStore Open();

    /// <summary>Empties a trail that an engine shares between the tests of a class.</summary>
    protected virtual Task EmptyAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        Store = Open();
        await Store.InitializeAsync();
        await EmptyAsync();
    }

    public async Task DisposeAsync() => await Store.DisposeAsync();

    protected static AuditRecord Event(long sequence, string name = "Encrypt", string? user = null, bool readOnly = false, string resources = "") =>
        new(sequence, Now.AddSeconds(sequence), $"event-{sequence}", name, "kms.amazonaws.com", "111122223333", user is null ? null : $"arn:aws:iam::111122223333:user/{user}",
            user, null, sequence % 2 == 0 ? "AccessDeniedException" : null, "127.0.0.1", readOnly, resources, $"{{\"n\":{sequence}}}", [(byte)sequence, 0xAB]);

    [Fact]
    public async Task Appended_events_come_back_whole_in_order_and_the_last_one_is_the_head()
    {
        Assert.Null(await Store.LastAsync());
        var events = new[] { Event(1, user: "ann"), Event(2, readOnly: true), Event(3, resources: "arn:aws:kms:us-east-1:111122223333:key/k1 arn:x") };

        await Store.AppendAsync(events[..2]);
        await Store.AppendAsync(events[2..]);

        var read = await Store.QueryAsync(new AuditFilter());
        Assert.Equal(events.Select(e => e with { Hash = [] }), read.Select(e => e with { Hash = [] }));
        Assert.Equal(events.Select(e => e.Hash), read.Select(e => e.Hash));
        var last = await Store.LastAsync();
        Assert.Equal(3, last!.Value.Sequence);
        Assert.Equal([3, 0xAB], last.Value.Hash);
    }

    [Fact]
    public async Task Filters_and_paging_select_the_events_they_name()
    {
        await Store.AppendAsync([Event(1, "Encrypt", "ann"), Event(2, "Decrypt", "bob", readOnly: true), Event(3, "Decrypt", resources: "arn:k_1 arn:k%2"), Event(4, "Sign", "ann")]);

        async Task<long[]> Sequences(AuditFilter filter) => (await Store.QueryAsync(filter)).Select(e => e.Sequence).ToArray();
        Assert.Equal(new long[] { 2, 3 }, await Sequences(new AuditFilter { EventName = "Decrypt" }));
        Assert.Equal(new long[] { 1, 4 }, await Sequences(new AuditFilter { Principal = "ann" }));
        Assert.Equal(new long[] { 1, 4 }, await Sequences(new AuditFilter { Principal = "arn:aws:iam::111122223333:user/ann" }));
        Assert.Equal(new long[] { 2 }, await Sequences(new AuditFilter { ReadOnly = true }));
        Assert.Equal(new long[] { 2, 4 }, await Sequences(new AuditFilter { ErrorCode = "AccessDeniedException" }));
        Assert.Equal(new long[] { 3 }, await Sequences(new AuditFilter { Resource = "arn:k%2" }));
        Assert.Empty(await Sequences(new AuditFilter { Resource = "arn:k_" }));
        Assert.Equal(new long[] { 2, 3 }, await Sequences(new AuditFilter { Start = Now.AddSeconds(2), End = Now.AddSeconds(3) }));
        Assert.Equal(new long[] { 4, 3 }, await Sequences(new AuditFilter { NewestFirst = true, Limit = 2 }));
        Assert.Equal(new long[] { 2, 1 }, await Sequences(new AuditFilter { NewestFirst = true, BeforeSequence = 3 }));
        Assert.Equal(new long[] { 3, 4 }, await Sequences(new AuditFilter { AfterSequence = 2 }));
    }

    [Fact]
    public async Task Digests_are_kept_in_order_and_retention_removes_only_the_prefix()
    {
        await Store.AppendAsync([Event(1), Event(2), Event(3)]);
        await Store.AppendDigestAsync(new AuditDigestRecord(2, Now, "{\"d\":2}", [2]));
        await Store.AppendDigestAsync(new AuditDigestRecord(1, Now, "{\"d\":1}", [1]));
        await Store.ProbeAsync();
        await Store.ProbeAsync();

        await Store.DeleteThroughAsync(2);

        Assert.Equal([1L, 2L], (await Store.ReadDigestsAsync()).Select(d => d.Sequence));
        Assert.Equal([1], (await Store.ReadDigestsAsync())[0].Signature);
        Assert.Equal([3L], (await Store.QueryAsync(new AuditFilter())).Select(e => e.Sequence));
        await Store.AppendAsync([Event(4)]);
        Assert.Equal(4, (await Store.LastAsync())!.Value.Sequence);
    }
}

public sealed class SqliteAuditStoreConformanceTests : AuditStoreConformanceTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coffer-audit-").FullName;

    protected override IAuditStore Open() => SqliteAuditStore.InDirectory(_dir);
}

public sealed class PostgresAuditStoreConformanceTests(PostgresTestDatabase database) : AuditStoreConformanceTests, IClassFixture<PostgresTestDatabase>
{
    protected override IAuditStore Open() => new PostgresAuditStore(database.ConnectionString);

    // The class shares one database; each test starts from an empty trail, as each SQLite test has its own file.
    protected override Task EmptyAsync() => database.EmptyAsync();

    [Fact]
    public async Task Two_nodes_appending_from_the_same_head_never_fork_the_chain()
    {
        await using var other = new PostgresAuditStore(database.ConnectionString);
        await other.InitializeAsync();
        var head = (await Store.LastAsync())?.Sequence ?? 0;

        // Both computed event head+1 from the same head; many rounds, so the appends really overlap.
        for (var round = 0; round < 20; round++)
        {
            var next = head + 1;
            var results = await Task.WhenAll(
                Attempt(Store, Event(next) with { EventId = $"a-{next}" }),
                Attempt(other, Event(next) with { EventId = $"b-{next}" }));
            Assert.Single(results, ok => ok);
            head = next;
        }

        // A writer still holding an older head, or skipping ahead, is refused as well.
        await Assert.ThrowsAsync<AuditChainConflictException>(() => other.AppendAsync([Event(head)]).AsTask());
        await Assert.ThrowsAsync<AuditChainConflictException>(() => other.AppendAsync([Event(head + 2)]).AsTask());
        await Assert.ThrowsAsync<AuditChainConflictException>(() => other.AppendAsync([Event(head + 1), Event(head + 3)]).AsTask());
        var sequences = (await Store.QueryAsync(new AuditFilter { Limit = int.MaxValue })).Select(e => e.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task A_batch_chained_on_an_old_head_is_chained_again_on_the_stored_head_in_the_same_append()
    {
        await using var other = new PostgresAuditStore(database.ConnectionString);
        await other.InitializeAsync();
        var head = (await Store.LastAsync())?.Sequence ?? 0;
        await Store.AppendAsync([Event(head + 1), Event(head + 2)]);
        var stored = (await Store.LastAsync())!.Value;

        (long Sequence, byte[] Hash)? given = null;
        await other.AppendAsync([Event(head + 1) with { EventId = "late-1" }, Event(head + 2) with { EventId = "late-2" }], rechain: at =>
        {
            given = at;
            return [Event(at.Sequence + 1) with { EventId = "late-1" }, Event(at.Sequence + 2) with { EventId = "late-2" }];
        });

        Assert.Equal(stored.Sequence, given?.Sequence);
        Assert.Equal(stored.Hash, given?.Hash);
        var events = await Store.QueryAsync(new AuditFilter { Limit = int.MaxValue });
        Assert.Equal(Enumerable.Range(1, (int)head + 4).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(["late-1", "late-2"], events.TakeLast(2).Select(e => e.EventId));
    }

    [Fact]
    public async Task Nodes_starting_together_migrate_the_database_once()
    {
        var stores = Enumerable.Range(0, 4).SelectMany<int, IAsyncDisposable>(_ => [new PostgresAuditStore(database.ConnectionString), new PostgresStore(database.ConnectionString)]).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => s is IAuditStore audit ? audit.InitializeAsync().AsTask() : ((ICofferStore)s).InitializeAsync().AsTask()));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        Assert.True(await PostgresAuditStore.ExistsAsync(database.ConnectionString, CancellationToken.None));
    }

    private static async Task<bool> Attempt(IAuditStore store, AuditRecord record)
    {
        try
        {
            await store.AppendAsync([record]);
            return true;
        }
        catch (AuditChainConflictException)
        {
            return false;
        }
    }
}
