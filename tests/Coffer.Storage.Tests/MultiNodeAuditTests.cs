using Coffer.Audit;
using Coffer.Crypto;
using Coffer.Storage.Postgres;

namespace Coffer.Storage.Tests;

/// <summary>
/// Several nodes writing one audit trail on one PostgreSQL database: each node's writer keeps the
/// chain's head in memory, so every batch after another node's write is refused by the store and
/// must be chained again on the new head, not fail its requests.
/// </summary>
public sealed class MultiNodeAuditTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);

    public async Task InitializeAsync()
    {
        await using var store = new PostgresAuditStore(database.ConnectionString);
        await store.InitializeAsync();
        await database.EmptyAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Two_trails_appending_at_once_commit_every_event_in_one_chain_that_verifies()
    {
        await using var storeA = new PostgresAuditStore(database.ConnectionString);
        await using var storeB = new PostgresAuditStore(database.ConnectionString);
        await using var nodeA = await AuditTrail.OpenAsync(storeA);
        await using var nodeB = await AuditTrail.OpenAsync(storeB);

        // Many writers on each node, so batches of both nodes overlap again and again.
        var writes = Enumerable.Range(0, 8).SelectMany(writer => new[] { Write(nodeA, $"a{writer}"), Write(nodeB, $"b{writer}") });
        var written = (await Task.WhenAll(writes)).SelectMany(ids => ids).ToList();

        Assert.True(nodeA.Healthy && nodeB.Healthy);
        var records = await storeA.QueryAsync(new AuditFilter { Limit = int.MaxValue });
        Assert.Equal(written.Order(), records.Select(r => r.EventId).Order());
        Assert.Equal(Enumerable.Range(1, written.Count).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Contains(records, r => r.EventId.StartsWith('a'));
        Assert.Contains(records, r => r.EventId.StartsWith('b'));

        using var key = AuditSigningKey.Create();
        var digester = new AuditDigester(storeB, () => key, TimeProvider.System);
        await digester.WriteAsync("periodic");
        var verified = AuditVerifier.Verify(records, await storeA.ReadDigestsAsync(), key.PublicKey);
        Assert.True(verified.Ok, verified.Summary);
        Assert.Equal(written.Count, verified.Proof!.ProvenThrough);
    }

    [Fact]
    public async Task Tampering_with_one_node_s_event_is_still_found()
    {
        await using var storeA = new PostgresAuditStore(database.ConnectionString);
        await using var storeB = new PostgresAuditStore(database.ConnectionString);
        await using var nodeA = await AuditTrail.OpenAsync(storeA);
        await using var nodeB = await AuditTrail.OpenAsync(storeB);
        await Task.WhenAll(Write(nodeA, "a", 20), Write(nodeB, "b", 20));

        var records = (await storeA.QueryAsync(new AuditFilter { Limit = int.MaxValue })).ToList();
        var victim = records.FindIndex(r => r.EventId.StartsWith('b'));
        records[victim] = records[victim] with { Json = records[victim].Json.Replace("\"Encrypt\"", "\"Decrypt\"", StringComparison.Ordinal) };

        using var key = AuditSigningKey.Create();
        var verified = AuditVerifier.Verify(records, [], key.PublicKey);
        Assert.False(verified.Ok);
        Assert.Equal(records[victim].Sequence, verified.FirstBadSequence);
    }

    [Fact]
    public async Task Two_nodes_signing_digests_at_once_leave_one_unbroken_digest_chain()
    {
        await using var storeA = new PostgresAuditStore(database.ConnectionString);
        await using var storeB = new PostgresAuditStore(database.ConnectionString);
        await using var nodeA = await AuditTrail.OpenAsync(storeA);
        await Write(nodeA, "a", 5);
        using var key = AuditSigningKey.Create();
        var digesterA = new AuditDigester(storeA, () => key, TimeProvider.System);
        var digesterB = new AuditDigester(storeB, () => key, TimeProvider.System);

        // What two nodes' shutdown digests (or a lease handed over mid-write) do: sign the same next digest.
        for (var round = 0; round < 10; round++)
        {
            await Task.WhenAll(digesterA.WriteAsync("shutdown"), digesterB.WriteAsync("shutdown"));
        }

        var digests = await storeA.ReadDigestsAsync();
        Assert.Equal(20, digests.Count);
        var verified = AuditVerifier.Verify(await storeA.QueryAsync(new AuditFilter { Limit = int.MaxValue }), digests, key.PublicKey);
        Assert.True(verified.Ok, verified.Summary);
    }

    private static async Task<List<string>> Write(AuditTrail trail, string prefix, int count = 40)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}-{i}-{Guid.NewGuid():N}";
            await trail.RecordAsync(new AuditEvent
            {
                EventId = id,
                EventTime = Now.AddMilliseconds(i),
                EventSource = "kms.amazonaws.com",
                EventName = "Encrypt",
                AwsRegion = "us-east-1",
                UserIdentity = new UserIdentity { Type = "IAMUser", AccountId = "111122223333", UserName = prefix },
            });
            ids.Add(id);
        }

        return ids;
    }
}
