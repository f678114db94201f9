using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// The root of trust end to end with the real program: <c>coffer init</c> with Shamir shares, a
/// server that starts sealed, unsealing with T shares, sealing again, and what the data folder
/// holds (nothing usable without the shares).
/// </summary>
[StartsEarly(4)]
public sealed class SealTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Directory.CreateTempSubdirectory("coffer-seal-").FullName, "data");
    private List<string> _shares = [];
    private string _adminId = "";
    private string _adminSecret = "";

    public async Task InitializeAsync()
    {
        var folder = await InitializedFolder.ShamirAsync(_dataDir);
        _shares = [.. folder.Shares];
        _adminId = folder.AdminAccessKeyId;
        _adminSecret = folder.AdminSecretAccessKey;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Path.GetDirectoryName(_dataDir)!, recursive: true);
        return Task.CompletedTask;
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> UnsealAsync(CofferProcess server, string share) =>
        RunWithInputAsync(["unseal", "--address", server.Address.ToString()], share);

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunWithInputAsync(string[] args, string input) =>
        Repo.CofferAsync(args, input: input + "\n");

    [Fact]
    public async Task Init_prints_distinct_shares_once_and_refuses_to_run_twice()
    {
        Assert.Equal(3, _shares.Count);
        Assert.Equal(3, _shares.Distinct().Count());
        Assert.All(_shares, s => Assert.StartsWith("coffer-share-v1:", s, StringComparison.Ordinal));

        var again = await Repo.CofferAsync(["init", "--data-dir", _dataDir, "--seal", "shamir", "--shares", "3", "--threshold", "2"]);
        Assert.Equal(1, again.ExitCode);
        var bad = await Repo.CofferAsync(["init", "--data-dir", _dataDir + "-x", "--seal", "shamir", "--shares", "2", "--threshold", "3"]);
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task A_sealed_server_serves_nothing_until_T_shares_and_old_ciphertexts_decrypt_after_a_restart()
    {
        var plaintext = RandomNumberGenerator.GetBytes(32);
        byte[] blob;
        byte[] dataKey;
        string serverOutput;
        await using (var server = await CofferProcess.StartAsync(_dataDir, dev: false))
        {
            var kms = server.Kms(_adminId, _adminSecret);
            var sealedError = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, sealedError.StatusCode);
            Assert.Equal("ServiceUnavailableException", sealedError.ErrorCode);

            var first = await UnsealAsync(server, _shares[0]);
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("1 of 2", first.Stdout, StringComparison.Ordinal);
            var wrong = await UnsealAsync(server, "coffer-share-v1:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(37)).TrimEnd('='));
            Assert.Equal(1, wrong.ExitCode);
            await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));

            var second = await UnsealAsync(server, _shares[2]);
            Assert.Contains("Unsealed", second.Stdout, StringComparison.Ordinal);
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(plaintext) })).CiphertextBlob.ToArray();
            dataKey = (await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256 })).Plaintext.ToArray();
            await server.KillAsync();
            serverOutput = server.Output;
        }

        await using (var server = await CofferProcess.StartAsync(_dataDir, dev: false))
        {
            var kms = server.Kms(_adminId, _adminSecret);
            Assert.Contains("\"sealed\":true", await new HttpClient().GetStringAsync(new Uri(server.Address, "/health")), StringComparison.Ordinal);
            await UnsealAsync(server, _shares[1]);
            await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
            await UnsealAsync(server, _shares[0]);

            Assert.Equal(plaintext, (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());

            var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = _adminId, ["AWS_SECRET_ACCESS_KEY"] = _adminSecret };
            var seal = await Repo.CofferAsync(["seal", "--address", server.Address.ToString()], env);
            Assert.Equal(0, seal.ExitCode);
            var afterSeal = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, afterSeal.StatusCode);
            var status = await Repo.CofferAsync(["status", "--address", server.Address.ToString()]);
            Assert.Contains("Sealed (shamir): 0 of 2", status.Stdout, StringComparison.Ordinal);
        }

        // Whoever copies the disk gets the store, the WAL and the audit trail, and nothing in them; nor in the server's log.
        var secrets = new List<byte[]> { plaintext, dataKey, Encoding.UTF8.GetBytes(_adminSecret) };
        secrets.AddRange(_shares.Select(s => Encoding.UTF8.GetBytes(s)));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(Encoding.UTF8.GetString(secret), serverOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(secret), serverOutput, StringComparison.Ordinal);
        }

        foreach (var file in Directory.EnumerateFiles(_dataDir, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"a secret is in {file}");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToBase64String(secret))) < 0, $"a base64 secret is in {file}");
            }
        }
    }

    [Fact]
    public async Task Rekey_issues_new_shares_for_the_same_keys_and_the_old_shares_stop_working()
    {
        byte[] blob;
        await using (var server = await CofferProcess.StartAsync(_dataDir, dev: false))
        {
            await UnsealAsync(server, _shares[0]);
            await UnsealAsync(server, _shares[1]);
            var kms = server.Kms(_adminId, _adminSecret);
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([4, 2]) })).CiphertextBlob.ToArray();
        }

        var refused = await RunWithInputAsync(["rekey", "--data-dir", _dataDir, "--shares", "4", "--threshold", "3"], _shares[0]);
        Assert.Equal(1, refused.ExitCode);
        var rekey = await RunWithInputAsync(["rekey", "--data-dir", _dataDir, "--shares", "4", "--threshold", "3"], $"{_shares[2]}\n{_shares[1]}");
        Assert.True(rekey.ExitCode == 0, rekey.Stderr);
        var newShares = rekey.Stdout.Split('\n').Where(l => l.StartsWith("Share ", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1].Trim()).ToList();
        Assert.Equal(4, newShares.Count);
        Assert.Empty(newShares.Intersect(_shares));

        await using (var server = await CofferProcess.StartAsync(_dataDir, dev: false))
        {
            Assert.Equal(1, (await UnsealAsync(server, _shares[0])).ExitCode);
            await UnsealAsync(server, newShares[3]);
            await UnsealAsync(server, newShares[0]);
            Assert.Contains("Unsealed", (await UnsealAsync(server, newShares[2])).Stdout, StringComparison.Ordinal);
            var decrypted = await server.Kms(_adminId, _adminSecret).DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
            Assert.Equal([4, 2], decrypted.Plaintext.ToArray());
        }
    }

    [Fact]
    public async Task The_domain_key_rotates_while_the_server_serves_and_everything_still_opens_after_a_restart()
    {
        var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = _adminId, ["AWS_SECRET_ACCESS_KEY"] = _adminSecret };
        byte[] blob;
        string userKeyId, userSecret;
        await using (var server = await CofferProcess.StartAsync(_dataDir, dev: false))
        {
            await UnsealAsync(server, _shares[0]);
            await UnsealAsync(server, _shares[1]);
            var kms = server.Kms(_adminId, _adminSecret);
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([9, 8, 7]) })).CiphertextBlob.ToArray();
            var admin = new RawKmsClient(server.Address, _adminId, _adminSecret, "us-east-1");
            await Iam.CallAsync(admin, "CreateUser", new() { ["UserName"] = "rotator" });
            await Iam.CallAsync(admin, "PutUserPolicy", new() { ["UserName"] = "rotator", ["PolicyName"] = "p", ["PolicyDocument"] = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}}""" });
            var created = await Iam.CallAsync(admin, "CreateAccessKey", new() { ["UserName"] = "rotator" });
            (userKeyId, userSecret) = (created.Xml("AccessKeyId")!, created.Xml("SecretAccessKey")!);

            var refused = await Repo.CofferAsync(["rotate-domain-key", "--address", server.Address.ToString()], env, input: $"{_shares[0]}\n");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("InvalidShareException", refused.Stderr, StringComparison.Ordinal);
            var rotated = await Repo.CofferAsync(["rotate-domain-key", "--address", server.Address.ToString()], env, input: $"{_shares[1]}\n{_shares[2]}\n");
            Assert.True(rotated.ExitCode == 0, rotated.Stderr + server.Output);
            Assert.Contains("rotated to version 2", rotated.Stdout, StringComparison.Ordinal);

            Assert.Equal([9, 8, 7], (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
            await server.Kms(userKeyId, userSecret).ListKeysAsync(new ListKeysRequest());
            await server.KillAsync();
        }

        await using (var server = await CofferProcess.StartAsync(_dataDir, dev: false))
        {
            await UnsealAsync(server, _shares[2]);
            await UnsealAsync(server, _shares[0]);
            Assert.Equal([9, 8, 7], (await server.Kms(_adminId, _adminSecret).DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
            await server.Kms(userKeyId, userSecret).ListKeysAsync(new ListKeysRequest());
        }

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dataDir, "coffer.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT group_concat(name) FROM settings WHERE name LIKE 'domain-key.v%';";
            Assert.Equal("domain-key.v2", (string?)await command.ExecuteScalarAsync());
        }

        Assert.Equal(0, (await Repo.CofferAsync(["audit", "verify", "--data-dir", _dataDir])).ExitCode);
    }

    [Fact]
    public async Task A_copy_of_the_data_folder_without_the_shares_decrypts_nothing()
    {
        var copy = _dataDir + "-copy";
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(_dataDir))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        await using var server = await CofferProcess.StartAsync(copy, dev: false);
        var kms = server.Kms(_adminId, _adminSecret);

        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        var devAttempt = await Repo.CofferAsync(["server", "--dev", "--data-dir", copy, "--listen", $"127.0.0.1:{Repo.FreePort()}"]);
        Assert.Equal(1, devAttempt.ExitCode);
        Assert.Contains("start it without --dev", devAttempt.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_come_from_a_config_file_and_the_environment_with_flags_first()
    {
        var dir = Path.GetDirectoryName(_dataDir)!;
        var port = Repo.FreePort();
        var toml = Path.Combine(dir, "coffer.toml");
        await File.WriteAllTextAsync(toml, $"""
            data-dir = "{_dataDir}"
            listen = "127.0.0.1:1"
            insecure-http = true
            region = ["eu-west-1", "eu-central-1"]
            """);

        await using (var server = await CofferProcess.StartAsync(_dataDir, port: port, rawArguments: ["server", "--config", toml, "--listen", $"127.0.0.1:{port}"]))
        {
            Assert.Contains("Regions: eu-west-1, eu-central-1", server.Output, StringComparison.Ordinal);
            Assert.Contains($"Coffer listening on http://127.0.0.1:{port}", server.Output, StringComparison.Ordinal);
        }

        var json = Path.Combine(dir, "coffer.json");
        await File.WriteAllTextAsync(json, $$"""{"data-dir": "{{_dataDir}}", "insecure-http": true, "account-id": "12"}""");
        var bad = await Repo.CofferAsync(["server", "--config", json]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--account-id: '12'", bad.Stderr, StringComparison.Ordinal);

        var fromEnv = await Repo.CofferAsync(["server", "--config", json], new Dictionary<string, string> { ["COFFER_ACCOUNT_ID"] = "not-an-id" });
        Assert.Contains("--account-id: 'not-an-id'", fromEnv.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_principal_allowed_coffer_Seal_may_seal()
    {
        await using var server = await CofferProcess.StartAsync(_dataDir, dev: false);
        await UnsealAsync(server, _shares[0]);
        await UnsealAsync(server, _shares[1]);

        var unsigned = await Repo.CofferAsync(["seal", "--address", server.Address.ToString()],
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIANOBODY0000000000", ["AWS_SECRET_ACCESS_KEY"] = "x" });

        Assert.Equal(1, unsigned.ExitCode);
        Assert.Contains("UnrecognizedClientException", unsigned.Stderr, StringComparison.Ordinal);
        Assert.Contains("Unsealed", (await Repo.CofferAsync(["status", "--address", server.Address.ToString()])).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_mode_refuses_plain_HTTP_off_loopback_and_serves_HTTPS_with_a_certificate()
    {
        var noTls = await Repo.CofferAsync(["server", "--data-dir", _dataDir, "--listen", $"127.0.0.1:{Repo.FreePort()}"]);
        Assert.Equal(1, noTls.ExitCode);
        Assert.Contains("HTTPS only", noTls.Stderr, StringComparison.Ordinal);
        var offLoopback = await Repo.CofferAsync(["server", "--data-dir", _dataDir, "--insecure-http", "--listen", $"0.0.0.0:{Repo.FreePort()}"]);
        Assert.Equal(1, offLoopback.ExitCode);

        var dir = Path.GetDirectoryName(_dataDir)!;
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(Path.Combine(dir, "tls.crt"), certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(dir, "tls.key"), rsa.ExportPkcs8PrivateKeyPem());
        }

        await using var server = await CofferProcess.StartAsync(_dataDir, dev: false,
            extraArguments: ["--tls-cert", Path.Combine(dir, "tls.crt"), "--tls-key", Path.Combine(dir, "tls.key")]);
        Assert.StartsWith("https://", server.Output.Split('\n').Single(l => l.StartsWith("Coffer listening on", StringComparison.Ordinal))["Coffer listening on ".Length..], StringComparison.Ordinal);
        using var https = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var health = await https.GetStringAsync(new Uri($"https://127.0.0.1:{server.Port}/health"));
        Assert.Contains("\"sealed\":true", health, StringComparison.Ordinal);
    }
}
