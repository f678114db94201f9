using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using Coffer.Crypto;
using Coffer.Server.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Coffer.Server.IntegrationTests;

/// <summary><c>coffer audit verify</c> on real data folders: it passes an untouched trail and catches each kind of tampering.</summary>
[StartsEarly(9)]
public sealed class AuditVerifyTests(AuditVerifyTests.Trail trail) : IClassFixture<AuditVerifyTests.Trail>
{
    private string DataDir => trail.DataDir;
    private string PublicKey => trail.PublicKey;
    private DateTimeOffset Midway => trail.Midway;
    private DateTimeOffset BeforeStop => trail.BeforeStop;

    /// <summary>
    /// One stopped server's data folder and its kept public key, shared by the tests: they only read it
    /// (<c>audit verify</c>, <c>export</c> and <c>query</c> change nothing) and tamper with copies.
    /// </summary>
    public sealed class Trail : IAsyncLifetime
    {
        public string DataDir { get; private set; } = null!;
        public string PublicKey { get; private set; } = null!;

        /// <summary>A moment between the second and third key, so an export from it starts mid-trail, between digests.</summary>
        public DateTimeOffset Midway { get; private set; }

        /// <summary>A moment after the last request, before the server stopped: its shutdown digest is later.</summary>
        public DateTimeOffset BeforeStop { get; private set; }

        public async Task InitializeAsync()
        {
            var server = await TestCoffer.StartAsync();
            var kms = server.Kms();
            for (var i = 0; i < 4; i++)
            {
                if (i == 2)
                {
                    // Event times are stored to the millisecond; the pauses keep this moment apart from both neighbours.
                    await Task.Delay(20);
                    Midway = DateTimeOffset.UtcNow;
                    await Task.Delay(20);
                }

                var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
                await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) });
            }

            await server.App.WriteAuditDigestAsync();
            await kms.ListKeysAsync(new ListKeysRequest());
            await Task.Delay(20);
            BeforeStop = DateTimeOffset.UtcNow;
            DataDir = Directory.CreateTempSubdirectory("coffer-audit-").FullName;
            // Stopping the server writes a last digest; the folder is then copied out before it goes.
            await server.App.DisposeAsync();
            Repo.CopyDataFolder(server.Options.DataDir, DataDir);
            Directory.Delete(server.Options.DataDir, recursive: true);
            PublicKey = Path.Combine(Directory.CreateTempSubdirectory("coffer-key-").FullName, "audit.pem");
            File.Copy(Path.Combine(DataDir, "audit-public-key.pem"), PublicKey);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(DataDir, recursive: true);
            Directory.Delete(Path.GetDirectoryName(PublicKey)!, recursive: true);
            return Task.CompletedTask;
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> VerifyTamperedAsync(string sql, params string[] extraArguments)
    {
        var copy = Directory.CreateTempSubdirectory("coffer-tamper-").FullName;
        Repo.CopyDataFolder(DataDir, copy);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(copy, "audit.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        return await Repo.CofferAsync(["audit", "verify", "--data-dir", copy, "--public-key", PublicKey, .. extraArguments]);
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task<JsonElement> LastDigestAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, "audit.db")};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM digests ORDER BY seq DESC LIMIT 1;";
        return JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement.Clone();
    }

    private async Task<string> ExportAsync(params string[] extraArguments)
    {
        var export = await Repo.CofferAsync(["audit", "export", "--data-dir", DataDir, .. extraArguments]);
        Assert.Equal(0, export.ExitCode);
        return export.Stdout;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> VerifyFileAsync(string contents)
    {
        var file = Path.Combine(Path.GetDirectoryName(PublicKey)!, $"export-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(file, contents);
        return await Repo.CofferAsync(["audit", "verify", "--file", file, "--public-key", PublicKey]);
    }

    /// <summary>An event line an attacker could write: a copy of a real event under a new id, chained correctly from <paramref name="previousHash"/>.</summary>
    private static (string Line, byte[] Hash) ForgedEvent(string template, long sequence, byte[] previousHash)
    {
        var forged = JsonNode.Parse(template)!.AsObject();
        forged["eventID"] = Guid.NewGuid().ToString();
        forged["eventName"] = "Decrypt";
        var json = forged.ToJsonString();
        var hash = AuditChain.Next(previousHash, sequence, Encoding.UTF8.GetBytes(json));
        return ($$"""{"type":"event","sequence":{{sequence}},"hash":"{{Convert.ToHexStringLower(hash)}}","event":{{json}}}""", hash);
    }

    [Fact]
    public async Task An_untouched_trail_verifies_with_the_stored_and_the_kept_public_key()
    {
        var stored = await Repo.CofferAsync(["audit", "verify", "--data-dir", DataDir]);
        var kept = await Repo.CofferAsync(["audit", "verify", "--data-dir", DataDir, "--public-key", PublicKey]);

        Assert.Equal(0, stored.ExitCode);
        Assert.Equal(0, kept.ExitCode);
        Assert.StartsWith("OK:", kept.Stdout, StringComparison.Ordinal);
        var last = await LastDigestAsync();
        Assert.Contains($"Proven through {last.GetProperty("createdAt").GetString()} (digest #{last.GetProperty("sequence").GetInt64()})", kept.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("UNPROVEN", kept.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_kept_public_key_verify_warns_on_stderr_that_it_proves_nothing()
    {
        var stored = await Repo.CofferAsync(["audit", "verify", "--data-dir", DataDir]);
        var kept = await Repo.CofferAsync(["audit", "verify", "--data-dir", DataDir, "--public-key", PublicKey]);

        Assert.Equal(0, stored.ExitCode);
        // Only the warning lines count: ./coffer may also say on stderr that it is building the CLI first.
        var warning = Assert.Single(stored.Stderr.Split('\n'), l => l.Contains("WARNING", StringComparison.Ordinal));
        Assert.Contains(DataDir, warning, StringComparison.Ordinal);
        Assert.Contains("proves nothing", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", kept.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_the_last_digest_and_the_events_after_the_one_before_fails_verify_through_the_stop_time()
    {
        // Attack (b): the trail is cut back to an earlier digest; what is left is consistent, so only its end in time can give it away.
        var through = Iso(BeforeStop);
        var untouched = await Repo.CofferAsync(["audit", "verify", "--data-dir", DataDir, "--public-key", PublicKey, "--through", through]);
        var cut = await VerifyTamperedAsync("""
            DELETE FROM digests WHERE seq = (SELECT MAX(seq) FROM digests);
            DELETE FROM events WHERE seq > (SELECT json_extract(json, '$.lastSequence') FROM digests ORDER BY seq DESC LIMIT 1);
            """, "--through", through);
        var badTime = await Repo.CofferAsync(["audit", "verify", "--data-dir", DataDir, "--public-key", PublicKey, "--through", "yesterday-ish"]);

        Assert.Equal(0, untouched.ExitCode);
        Assert.Equal(1, cut.ExitCode);
        Assert.Contains("proven only through", cut.Stderr, StringComparison.Ordinal);
        Assert.Contains(through, cut.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badTime.ExitCode);
    }

    [Fact]
    public async Task Events_after_the_last_digest_are_named_unproven_and_not_called_verified()
    {
        // Attack (c): an event appended after the last digest, chained correctly, since the chain itself has no secret.
        var copy = Directory.CreateTempSubdirectory("coffer-tamper-").FullName;
        Repo.CopyDataFolder(DataDir, copy);
        long last;
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(copy, "audit.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT seq, hash, json FROM events ORDER BY seq DESC LIMIT 1;";
            await using (var reader = await read.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                last = reader.GetInt64(0);
                var (line, hash) = ForgedEvent(reader.GetString(2), last + 1, (byte[])reader.GetValue(1));
                var forged = JsonDocument.Parse(line).RootElement.GetProperty("event");
                await using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO events (seq, event_time_ms, event_id, event_name, event_source, read_only, resources, json, hash)
                    VALUES ($seq, $time, $id, 'Decrypt', 'kms.amazonaws.com', 1, '', $json, $hash);
                    """;
                insert.Parameters.AddWithValue("$seq", last + 1);
                insert.Parameters.AddWithValue("$time", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$id", forged.GetProperty("eventID").GetString());
                insert.Parameters.AddWithValue("$json", forged.GetRawText());
                insert.Parameters.AddWithValue("$hash", hash);
                await insert.ExecuteNonQueryAsync();
            }
        }

        var result = await Repo.CofferAsync(["audit", "verify", "--data-dir", copy, "--public-key", PublicKey]);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ok = Assert.Single(lines, l => l.StartsWith("OK:", StringComparison.Ordinal));
        Assert.Contains($"to #{last} ", ok, StringComparison.Ordinal);
        Assert.DoesNotContain($"#{last + 1}", ok, StringComparison.Ordinal);
        var unproven = Assert.Single(lines, l => l.StartsWith("UNPROVEN:", StringComparison.Ordinal));
        Assert.Contains($"1 event (#{last + 1} to #{last + 1})", unproven, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_whose_start_line_was_edited_fails_even_when_every_digest_lies_before_it()
    {
        // Attack (a): the start line moved past every digest, with a made-up hash, and a fabricated event chained from it.
        var lines = (await ExportAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var events = lines.Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("type").GetString() == "event").ToList();
        var lastSequence = events[^1].GetProperty("sequence").GetInt64();
        var madeUp = RandomNumberGenerator.GetBytes(32);
        var (forged, _) = ForgedEvent(events[^1].GetProperty("event").GetRawText(), lastSequence + 1, madeUp);
        var tampered = new StringBuilder()
            .AppendLine($$"""{"type":"start","afterSequence":{{lastSequence}},"previousHash":"{{Convert.ToHexStringLower(madeUp)}}"}""")
            .AppendLine(forged);
        foreach (var digest in lines.Where(l => l.Contains("\"type\":\"digest\"", StringComparison.Ordinal)))
        {
            tampered.AppendLine(digest);
        }

        var result = await VerifyFileAsync(tampered.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("start", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_from_a_time_starts_where_a_signed_digest_ends_and_verifies()
    {
        var export = await ExportAsync("--since", Iso(Midway));
        var lines = export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var start = lines[0];
        var anchors = lines.Where(l => l.GetProperty("type").GetString() == "digest")
            .Select(l => JsonDocument.Parse(l.GetProperty("json").GetString()!).RootElement)
            .Select(d => (d.GetProperty("lastSequence").GetInt64(), d.GetProperty("lastHash").GetString()))
            .Append((0L, Convert.ToHexStringLower(AuditChain.Genesis)));

        var result = await VerifyFileAsync(export);
        var shifted = await VerifyFileAsync(export.Replace(
            $"\"afterSequence\":{start.GetProperty("afterSequence").GetInt64()}", $"\"afterSequence\":{start.GetProperty("afterSequence").GetInt64() + 1}", StringComparison.Ordinal));

        Assert.Equal("start", start.GetProperty("type").GetString());
        Assert.Contains((start.GetProperty("afterSequence").GetInt64(), start.GetProperty("previousHash").GetString()), anchors);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, shifted.ExitCode);
    }

    [Fact]
    public async Task An_idle_server_keeps_signing_digests_so_the_proven_time_keeps_up()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-idle-").FullName;
        try
        {
            DateTimeOffset through;
            await using (var server = await CofferProcess.StartAsync(dataDir, extraArguments: ["--audit-digest-interval", "1"]))
            {
                // Six idle intervals, and three of slack for a busy machine: only digests written without new events carry the proof this far.
                await Task.Delay(TimeSpan.FromSeconds(6));
                through = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(3);
                await server.KillAsync();
            }

            var result = await Repo.CofferAsync(["audit", "verify", "--data-dir", dataDir, "--through", Iso(through)]);

            Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
            Assert.Contains("Proven through ", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task An_edited_field_is_named()
    {
        var result = await VerifyTamperedAsync("UPDATE events SET json = replace(json, '\"readOnly\":true', '\"readOnly\":false') WHERE seq = 4;");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Event #4", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("edited", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_event_is_named()
    {
        var result = await VerifyTamperedAsync("DELETE FROM events WHERE seq = 3;");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Event #3 is missing", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_swapped_events_are_caught_at_the_first()
    {
        var result = await VerifyTamperedAsync("""
            UPDATE events SET seq = -1 WHERE seq = 2;
            UPDATE events SET seq = 2 WHERE seq = 5;
            UPDATE events SET seq = 5 WHERE seq = -1;
            """);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Event #2", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_tail_covered_by_a_digest_is_caught()
    {
        var result = await VerifyTamperedAsync("DELETE FROM events WHERE seq > 6;");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("truncated", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_digest_is_caught()
    {
        var result = await VerifyTamperedAsync("UPDATE digests SET json = replace(json, '\"kind\":\"periodic\"', '\"kind\":\"forged\"') WHERE seq = 1;");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Digest #1 has an invalid signature", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trail_re_signed_with_another_key_fails_against_the_kept_public_key()
    {
        var otherKey = Path.Combine(Path.GetDirectoryName(PublicKey)!, "other.pem");
        using (var other = Crypto.AuditSigningKey.Create())
        {
            await File.WriteAllTextAsync(otherKey, other.PublicKeyPem);
        }

        var result = await Repo.CofferAsync(["audit", "verify", "--data-dir", DataDir, "--public-key", otherKey]);

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task An_export_verifies_offline_and_a_tampered_export_does_not()
    {
        var export = await Repo.CofferAsync(["audit", "export", "--data-dir", DataDir]);
        Assert.Equal(0, export.ExitCode);
        var file = Path.Combine(Path.GetDirectoryName(PublicKey)!, "export.jsonl");
        await File.WriteAllTextAsync(file, export.Stdout);

        var ok = await Repo.CofferAsync(["audit", "verify", "--file", file, "--public-key", PublicKey]);
        await File.WriteAllTextAsync(file, export.Stdout.Replace("\"eventName\":\"Encrypt\"", "\"eventName\":\"Decrypt\"", StringComparison.Ordinal));
        var tampered = await Repo.CofferAsync(["audit", "verify", "--file", file, "--public-key", PublicKey]);

        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(1, tampered.ExitCode);
        // Exports written before start lines were signed anchors began a full trail with a null hash; those still verify.
        var firstLine = export.Stdout[..export.Stdout.IndexOf('\n', StringComparison.Ordinal)];
        await File.WriteAllTextAsync(file, export.Stdout.Replace(firstLine, """{"type":"start","afterSequence":0,"previousHash":null}""", StringComparison.Ordinal));
        Assert.Equal(0, (await Repo.CofferAsync(["audit", "verify", "--file", file, "--public-key", PublicKey])).ExitCode);
    }

    [Fact]
    public async Task Query_filters_and_prints_a_table_or_json_lines()
    {
        var table = await Repo.CofferAsync(["audit", "query", "--data-dir", DataDir, "--event-name", "Encrypt"]);
        var json = await Repo.CofferAsync(["audit", "query", "--data-dir", DataDir, "--event-name", "CreateKey", "--output", "json"]);

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Encrypt", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CreateKey", table.Stdout, StringComparison.Ordinal);
        var lines = json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Contains("\"eventName\":\"CreateKey\"", l, StringComparison.Ordinal));
        Assert.Equal(2, (await Repo.CofferAsync(["audit", "query", "--data-dir", DataDir, "--since", "yesterday-ish"])).ExitCode);
    }
}
