using System.Text;
using System.Text.Json.Nodes;
using Coffer.Audit;
using Coffer.Crypto;
using Coffer.Storage.Sqlite;

namespace Coffer.Server.IntegrationTests;

/// <summary>The audit writer on a real SQLite trail: one bad event fails only its own request, and the chain stays whole.</summary>
public sealed class AuditWriterTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coffer-writer-").FullName;
    private AuditTrail _trail = null!;

    public async Task InitializeAsync() => _trail = await AuditTrail.OpenAsync(SqliteAuditStore.InDirectory(_dir));

    public async Task DisposeAsync()
    {
        await _trail.DisposeAsync();
        await _trail.Store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    internal static AuditEvent Event(string name, string? parameters = null) => new()
    {
        EventId = Guid.NewGuid().ToString("D"),
        EventTime = DateTimeOffset.UtcNow,
        EventSource = "kms.amazonaws.com",
        EventName = name,
        AwsRegion = "us-east-1",
        UserIdentity = new UserIdentity { Type = "Unknown" },
        RequestParameters = parameters is null ? null : Encoding.UTF8.GetBytes(parameters),
    };

    [Fact]
    public async Task An_event_that_cannot_be_serialised_fails_its_own_request_only()
    {
        // Parameters that are not one JSON value (a body echoed raw once was): the event cannot be written.
        var poisoned = Event("Poisoned", """{"x":""");
        var before = _trail.RecordAsync(Event("Before"));
        var bad = _trail.RecordAsync(poisoned);
        var after = _trail.RecordAsync(Event("After"));

        await before.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => bad.WaitAsync(TimeSpan.FromSeconds(10)));
        await after.WaitAsync(TimeSpan.FromSeconds(10));
        await _trail.RecordAsync(Event("Later")).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(_trail.Healthy);
        Assert.False(_trail.WriterStopped);
        var records = await _trail.Store.QueryAsync(new Storage.AuditFilter { Limit = 100 });
        Assert.Equal(["Before", "After", "Later"], records.Select(r => r.EventName));
        AssertChained(records);
    }

    /// <summary>Every record's hash chains on from the one before, from the genesis hash.</summary>
    internal static void AssertChained(IEnumerable<Storage.AuditRecord> records)
    {
        var hash = AuditChain.Genesis;
        foreach (var record in records)
        {
            hash = AuditChain.Next(hash, record.Sequence, Encoding.UTF8.GetBytes(record.Json));
            Assert.Equal(hash, record.Hash);
        }
    }

    [Fact]
    public async Task Strings_from_a_request_are_written_as_valid_UTF8()
    {
        await _trail.RecordAsync(Event("Echo") with { UserAgent = "agent \udc00 end", ErrorMessage = "x", ErrorCode = "E\ud800" })
            .WaitAsync(TimeSpan.FromSeconds(10));

        var json = (await _trail.Store.QueryAsync(new Storage.AuditFilter { Limit = 1 })).Single().Json;
        Assert.Contains("agent \ufffd end", JsonNode.Parse(json)!["userAgent"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("E\ufffd", JsonNode.Parse(json)!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_closed_trail_refuses_at_once_instead_of_leaving_requests_waiting()
    {
        await _trail.DisposeAsync();

        Assert.True(_trail.WriterStopped);
        Assert.False(_trail.Healthy);
        Assert.Throws<AuditUnavailableException>(() => _trail.EnsureHealthy());
        Assert.Throws<AuditUnavailableException>(() => { _ = _trail.RecordAsync(Event("TooLate")); });
    }
}
