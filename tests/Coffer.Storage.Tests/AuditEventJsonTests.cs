using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Audit;

namespace Coffer.Storage.Tests;

/// <summary>
/// The JSON an audit event serialises to is what the hash chain covers, so it must not depend on
/// what the same thread serialised before (the serialiser's buffer is reused per thread) nor on
/// other threads serialising at the same time.
/// </summary>
public sealed class AuditEventJsonTests
{
    private static AuditEvent Event(string id, JsonObject? parameters = null, params string[] resources) => new()
    {
        EventId = id,
        EventTime = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_987),
        EventSource = "kms.amazonaws.com",
        EventName = "Encrypt",
        AwsRegion = "eu-west-1",
        UserIdentity = new UserIdentity { Type = "IAMUser", AccountId = "111122223333", UserName = "ann" },
        RequestParameters = JsonSerializer.SerializeToUtf8Bytes(parameters ?? new JsonObject { ["keyId"] = $"key-{id}" }),
        Resources = resources,
    };

    private static string OnFreshThread(AuditEvent e)
    {
        string? json = null;
        var thread = new Thread(() => json = e.ToJson());
        thread.Start();
        thread.Join();
        return json!;
    }

    [Fact]
    public void An_event_serialises_the_same_after_a_large_one_and_after_many_others_on_the_same_thread()
    {
        var small = Event("small", null, "arn:aws:kms:eu-west-1:111122223333:key/k1");
        var expected = OnFreshThread(small);
        var large = Event("large", new JsonObject { ["description"] = new string('d', 100_000) });

        Assert.Equal(expected, small.ToJson());
        Assert.Contains(new string('d', 100_000), large.ToJson(), StringComparison.Ordinal);
        Assert.Equal(expected, small.ToJson());
        for (var i = 0; i < 100; i++)
        {
            Assert.Contains($"\"eventID\":\"e{i}\"", Event($"e{i}").ToJson(), StringComparison.Ordinal);
        }

        Assert.Equal(expected, small.ToJson());
    }

    [Fact]
    public async Task Threads_serialising_at_once_each_get_their_own_event_whole()
    {
        var events = Enumerable.Range(0, 64).Select(i => Event($"t{i}", new JsonObject { ["n"] = new string('x', i * 97) })).ToArray();
        var alone = events.Select(OnFreshThread).ToArray();

        var together = await Task.WhenAll(events.Select(e => Task.Run(() => Enumerable.Range(0, 50).Select(_ => e.ToJson()).Distinct().ToArray())));

        for (var i = 0; i < events.Length; i++)
        {
            Assert.Equal([alone[i]], together[i]);
        }
    }

    [Fact]
    public void The_bytes_the_chain_hashes_are_the_stored_text_encoded_as_UTF8()
    {
        // The verifier hashes the stored text's UTF-8; the writer hashes the serialiser's own bytes.
        var e = Event("u", new JsonObject { ["keyId"] = "k", ["note"] = "é中😀 \"quoted\" <tag>" }) with { UserAgent = "agent/ü" };

        var (utf8, text) = e.Serialize();

        Assert.Equal(Encoding.UTF8.GetBytes(text), utf8);
        Assert.Equal(e.ToJson(), text);
        Assert.Equal("é中😀 \"quoted\" <tag>", JsonDocument.Parse(utf8).RootElement.GetProperty("requestParameters").GetProperty("note").GetString());
    }

    [Theory]
    [InlineData("arn:aws:kms:eu-west-1:111122223333:key/k1", "111122223333", "AWS::KMS::Key")]
    [InlineData("arn:aws:iam::444455556666:user/ann", "444455556666", "AWS::IAM::Resource")]
    [InlineData("arn:aws:iam::777788889999", "777788889999", "AWS::IAM::Resource")]
    [InlineData("arn:aws:s3:::bucket", null, "AWS::IAM::Resource")]
    [InlineData("not-an-arn", null, "AWS::IAM::Resource")]
    public void A_resource_names_the_account_of_its_arn_when_it_has_one(string arn, string? account, string type)
    {
        using var json = JsonDocument.Parse(Event("r", null, arn).ToJson());
        var resource = json.RootElement.GetProperty("resources")[0];

        Assert.Equal(arn, resource.GetProperty("ARN").GetString());
        Assert.Equal(type, resource.GetProperty("type").GetString());
        Assert.Equal(account, resource.TryGetProperty("accountId", out var id) ? id.GetString() : null);
        Assert.Equal("2026-09-21T14:13:20Z", json.RootElement.GetProperty("eventTime").GetString());
    }
}
