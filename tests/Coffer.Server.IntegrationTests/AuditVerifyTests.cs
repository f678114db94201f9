using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Coffer.Server.IntegrationTests;

/// <summary><c>coffer audit verify</c> on real data folders: it passes an untouched trail and catches each kind of tampering.</summary>
[Collection(ProcessCollection.Name)]
public sealed class AuditVerifyTests : IAsyncLifetime
{
    private string _dataDir = null!;
    private string _publicKey = null!;

    public async Task InitializeAsync()
    {
        var server = await TestCoffer.StartAsync();
        var kms = server.Kms();
        for (var i = 0; i < 4; i++)
        {
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) });
        }

        await server.App.WriteAuditDigestAsync();
        await kms.ListKeysAsync(new ListKeysRequest());
        _dataDir = Directory.CreateTempSubdirectory("coffer-audit-").FullName;
        // Stopping the server writes a last digest; the folder is then copied out before it goes.
        await server.App.DisposeAsync();
        CopyDirectory(server.Options.DataDir, _dataDir);
        Directory.Delete(server.Options.DataDir, recursive: true);
        _publicKey = Path.Combine(Directory.CreateTempSubdirectory("coffer-key-").FullName, "audit.pem");
        File.Copy(Path.Combine(_dataDir, "audit-public-key.pem"), _publicKey);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dataDir, recursive: true);
        return Task.CompletedTask;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> VerifyTamperedAsync(string sql)
    {
        var copy = Directory.CreateTempSubdirectory("coffer-tamper-").FullName;
        CopyDirectory(_dataDir, copy);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(copy, "audit.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        return await Repo.RunAsync(Repo.Launcher, ["audit", "verify", "--data-dir", copy, "--public-key", _publicKey]);
    }

    [Fact]
    public async Task An_untouched_trail_verifies_with_the_stored_and_the_kept_public_key()
    {
        var stored = await Repo.RunAsync(Repo.Launcher, ["audit", "verify", "--data-dir", _dataDir]);
        var kept = await Repo.RunAsync(Repo.Launcher, ["audit", "verify", "--data-dir", _dataDir, "--public-key", _publicKey]);

        Assert.Equal(0, stored.ExitCode);
        Assert.Equal(0, kept.ExitCode);
        Assert.StartsWith("OK:", kept.Stdout, StringComparison.Ordinal);
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
        var otherKey = Path.Combine(Path.GetDirectoryName(_publicKey)!, "other.pem");
        using (var other = Crypto.AuditSigningKey.Create())
        {
            await File.WriteAllTextAsync(otherKey, other.PublicKeyPem);
        }

        var result = await Repo.RunAsync(Repo.Launcher, ["audit", "verify", "--data-dir", _dataDir, "--public-key", otherKey]);

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task An_export_verifies_offline_and_a_tampered_export_does_not()
    {
        var export = await Repo.RunAsync(Repo.Launcher, ["audit", "export", "--data-dir", _dataDir]);
        Assert.Equal(0, export.ExitCode);
        var file = Path.Combine(Path.GetDirectoryName(_publicKey)!, "export.jsonl");
        await File.WriteAllTextAsync(file, export.Stdout);

        var ok = await Repo.RunAsync(Repo.Launcher, ["audit", "verify", "--file", file, "--public-key", _publicKey]);
        await File.WriteAllTextAsync(file, export.Stdout.Replace("\"eventName\":\"Encrypt\"", "\"eventName\":\"Decrypt\"", StringComparison.Ordinal));
        var tampered = await Repo.RunAsync(Repo.Launcher, ["audit", "verify", "--file", file, "--public-key", _publicKey]);

        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(1, tampered.ExitCode);
    }

    [Fact]
    public async Task Query_filters_and_prints_a_table_or_json_lines()
    {
        var table = await Repo.RunAsync(Repo.Launcher, ["audit", "query", "--data-dir", _dataDir, "--event-name", "Encrypt"]);
        var json = await Repo.RunAsync(Repo.Launcher, ["audit", "query", "--data-dir", _dataDir, "--event-name", "CreateKey", "--output", "json"]);

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Encrypt", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CreateKey", table.Stdout, StringComparison.Ordinal);
        var lines = json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Contains("\"eventName\":\"CreateKey\"", l, StringComparison.Ordinal));
        Assert.Equal(2, (await Repo.RunAsync(Repo.Launcher, ["audit", "query", "--data-dir", _dataDir, "--since", "yesterday-ish"])).ExitCode);
    }
}
