using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// The operator commands that change the root of trust, run as processes on a PostgreSQL store:
/// <c>init</c>, <c>rekey</c>, <c>rotate-domain-key</c> and <c>account create</c> (which needs a dev
/// seal: the domain key of a store sealed with shares is never outside a running, unsealed server),
/// each pointed at the database with the same <c>--storage</c>/<c>--postgres-connection</c> options as the server.
/// </summary>
public sealed class SealOnPostgresTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private readonly string _dataDir = Directory.CreateTempSubdirectory("coffer-pg-seal-").FullName;
    private List<string> _shares = [];
    private string _adminId = "";
    private string _adminSecret = "";

    private string[] Storage => ["--data-dir", _dataDir, "--storage", "postgres", "--postgres-connection", _database.ConnectionString];

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var init = await Repo.CofferAsync(["init", .. Storage, "--seal", "shamir", "--shares", "3", "--threshold", "2"]);
        Assert.True(init.ExitCode == 0, init.Stderr);
        var lines = init.Stdout.Split('\n');
        string Value(string label) => lines.Single(l => l.StartsWith(label, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        _shares = [.. lines.Where(l => l.StartsWith("Share ", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1].Trim())];
        (_adminId, _adminSecret) = (Value("Admin access key id:"), Value("Admin secret access key:"));
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private Task<CofferProcess> StartAsync() =>
        CofferProcess.StartAsync(_dataDir, dev: false, extraArguments: ["--storage", "postgres", "--postgres-connection", _database.ConnectionString]);

    private static Task<(int ExitCode, string Stdout, string Stderr)> UnsealAsync(CofferProcess server, string share) =>
        Repo.CofferAsync(["unseal", "--address", server.Address.ToString()], input: share + "\n");

    private async Task<byte[]> EncryptOnUnsealedServerAsync(byte[] plaintext)
    {
        await using var server = await StartAsync();
        await UnsealAsync(server, _shares[0]);
        await UnsealAsync(server, _shares[1]);
        var kms = server.Kms(_adminId, _adminSecret);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        return (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(plaintext) })).CiphertextBlob.ToArray();
    }

    [Fact]
    public async Task Rekey_on_postgres_issues_new_shares_for_the_same_keys_and_the_old_shares_stop_working()
    {
        var blob = await EncryptOnUnsealedServerAsync([4, 2]);

        var refused = await Repo.CofferAsync(["rekey", .. Storage, "--shares", "4", "--threshold", "3"], input: _shares[0] + "\n");
        Assert.Equal(1, refused.ExitCode);
        var rekey = await Repo.CofferAsync(["rekey", .. Storage, "--shares", "4", "--threshold", "3"], input: $"{_shares[2]}\n{_shares[1]}\n");
        Assert.True(rekey.ExitCode == 0, rekey.Stderr);
        var newShares = rekey.Stdout.Split('\n').Where(l => l.StartsWith("Share ", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1].Trim()).ToList();
        Assert.Equal(4, newShares.Count);
        Assert.Empty(newShares.Intersect(_shares));

        await using var server = await StartAsync();
        Assert.Equal(1, (await UnsealAsync(server, _shares[0])).ExitCode);
        await UnsealAsync(server, newShares[3]);
        await UnsealAsync(server, newShares[0]);
        Assert.Contains("Unsealed", (await UnsealAsync(server, newShares[2])).Stdout, StringComparison.Ordinal);
        var decrypted = await server.Kms(_adminId, _adminSecret).DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
        Assert.Equal([4, 2], decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task Rekey_names_a_database_that_holds_no_store()
    {
        var empty = new PostgresTestDatabase();
        await empty.InitializeAsync();
        try
        {
            var result = await Repo.CofferAsync(["rekey", "--data-dir", _dataDir, "--storage", "postgres", "--postgres-connection", empty.ConnectionString], input: _shares[0] + "\n");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("holds no Coffer store", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await empty.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_domain_key_rotates_on_postgres_and_the_old_ciphertexts_still_decrypt_after_a_restart()
    {
        var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = _adminId, ["AWS_SECRET_ACCESS_KEY"] = _adminSecret };
        byte[] blob;
        await using (var server = await StartAsync())
        {
            await UnsealAsync(server, _shares[0]);
            await UnsealAsync(server, _shares[1]);
            var kms = server.Kms(_adminId, _adminSecret);
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([9, 8, 7]) })).CiphertextBlob.ToArray();

            var rotated = await Repo.CofferAsync(["rotate-domain-key", "--address", server.Address.ToString()], env, input: $"{_shares[1]}\n{_shares[2]}\n");
            Assert.True(rotated.ExitCode == 0, rotated.Stderr + server.Output);
            Assert.Contains("rotated to version 2", rotated.Stdout, StringComparison.Ordinal);
            Assert.Equal([9, 8, 7], (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
        }

        await using (var server = await StartAsync())
        {
            await UnsealAsync(server, _shares[2]);
            await UnsealAsync(server, _shares[0]);
            Assert.Equal([9, 8, 7], (await server.Kms(_adminId, _adminSecret).DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
        }

        Assert.Equal(0, (await Repo.CofferAsync(["audit", "verify", .. Storage])).ExitCode);
    }

    [Fact]
    public async Task Account_create_refuses_a_store_sealed_with_shares_saying_why()
    {
        var account = await Repo.CofferAsync(["account", "create", "--id", "444455556666", .. Storage]);

        Assert.Equal(1, account.ExitCode);
        Assert.Contains("cannot be changed offline", account.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Admin secret access key", account.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_made_by_the_cli_on_a_dev_postgres_store_works_on_the_running_server_within_seconds()
    {
        var database = new PostgresTestDatabase();
        await database.InitializeAsync();
        var dataDir = Directory.CreateTempSubdirectory("coffer-pg-dev-").FullName;
        string[] storage = ["--data-dir", dataDir, "--storage", "postgres", "--postgres-connection", database.ConnectionString];
        try
        {
            await using var server = await CofferProcess.StartAsync(dataDir, extraArguments: storage[2..]);
            var account = await Repo.CofferAsync(["account", "create", "--id", "444455556666", .. storage]);
            Assert.True(account.ExitCode == 0, account.Stderr);
            var lines = account.Stdout.Split('\n');
            string Value(string label) => lines.Single(l => l.StartsWith(label, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
            var tenant = server.Kms(Value("Admin access key id:"), Value("Admin secret access key:"));

            var seen = false;
            for (var deadline = DateTime.UtcNow.AddSeconds(5); !seen && DateTime.UtcNow < deadline; await Task.Delay(100))
            {
                try
                {
                    seen = (await tenant.ListKeysAsync(new ListKeysRequest())).Keys is null or { Count: 0 };
                }
                catch (AmazonKeyManagementServiceException)
                {
                    // Not seen yet: the server's one-second caches have not caught up.
                }
            }

            Assert.True(seen, "the running server never accepted the new account's admin key");
            var again = await Repo.CofferAsync(["account", "create", "--id", "444455556666", .. storage]);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await database.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Each_node_unseals_on_its_own_and_a_sealed_node_serves_nothing_while_the_other_goes_on()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        await UnsealAsync(first, _shares[0]);
        Assert.Contains("Unsealed", (await UnsealAsync(first, _shares[2])).Stdout, StringComparison.Ordinal);
        var served = first.Kms(_adminId, _adminSecret);
        var key = (await served.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var blob = (await served.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([5, 5]) })).CiphertextBlob.ToArray();

        // The second node got no shares: it refuses every call, even with the first node unsealed on the same database.
        var refused = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(
            () => second.Kms(_adminId, _adminSecret).DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("ServiceUnavailableException", refused.ErrorCode);
        using var http = new HttpClient();
        Assert.Contains("\"sealed\":true", await http.GetStringAsync(new Uri(second.Address, "/health")), StringComparison.Ordinal);
        Assert.Equal([5, 5], (await served.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());

        // Sealing the first node leaves the second as it was; once given its own shares it serves the same keys.
        var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = _adminId, ["AWS_SECRET_ACCESS_KEY"] = _adminSecret };
        Assert.Equal(0, (await Repo.CofferAsync(["seal", "--address", first.Address.ToString()], env)).ExitCode);
        await UnsealAsync(second, _shares[1]);
        await UnsealAsync(second, _shares[0]);
        Assert.Equal([5, 5], (await second.Kms(_adminId, _adminSecret).DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
        var sealedAgain = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => served.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, sealedAgain.StatusCode);
    }
}
