using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>The real <c>./coffer</c> program: durability across SIGKILL, credentials, shutdown, and what lands on disk.</summary>
[StartsEarly(6)]
public sealed class ProcessTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("coffer-proc-").FullName;
    private readonly Dictionary<string, string> _env = new()
    {
        ["COFFER_DEV_ACCESS_KEY_ID"] = "AKIAPROCESSTEST00001",
        ["COFFER_DEV_SECRET_ACCESS_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)),
    };

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Everything_acknowledged_before_kill_9_is_there_after_restart()
    {
        var plaintext = RandomNumberGenerator.GetBytes(64);
        string keyId;
        byte[] blob;
        await using (var server = await CofferProcess.StartAsync(_dataDir, _env))
        {
            var kms = server.Kms(_env["COFFER_DEV_ACCESS_KEY_ID"], _env["COFFER_DEV_SECRET_ACCESS_KEY"]);
            keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "durable", Tags = [new Tag { TagKey = "t", TagValue = "v" }] })).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/durable", TargetKeyId = keyId });
            blob = (await kms.EncryptAsync(new EncryptRequest
            {
                KeyId = "alias/durable",
                Plaintext = new MemoryStream(plaintext),
                EncryptionContext = new() { ["k"] = "v" },
            })).CiphertextBlob.ToArray();
            var second = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = second });
            await server.KillAsync();
        }

        await using (var server = await CofferProcess.StartAsync(_dataDir, _env))
        {
            var kms = server.Kms(_env["COFFER_DEV_ACCESS_KEY_ID"], _env["COFFER_DEV_SECRET_ACCESS_KEY"]);
            var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = new() { ["k"] = "v" } });
            Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
            Assert.Equal("durable", (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/durable" })).KeyMetadata.Description);
            Assert.Equal("v", (await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId })).Tags.Single().TagValue);
            var keys = (await kms.ListKeysAsync(new ListKeysRequest())).Keys;
            Assert.Equal(2, keys.Count);
            var states = new List<KeyState>();
            foreach (var key in keys)
            {
                states.Add((await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
            }

            Assert.Contains(KeyState.Disabled, states);
        }
    }

    [Fact]
    public async Task The_audit_event_of_an_answered_request_survives_kill_9()
    {
        string requestId;
        await using (var server = await CofferProcess.StartAsync(_dataDir, _env))
        {
            var kms = server.Kms(_env["COFFER_DEV_ACCESS_KEY_ID"], _env["COFFER_DEV_SECRET_ACCESS_KEY"]);
            requestId = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "last words" })).ResponseMetadata.RequestId;
            await server.KillAsync();
        }

        await using var store = Storage.Sqlite.SqliteAuditStore.InDirectory(_dataDir);
        await store.InitializeAsync();
        var events = await store.QueryAsync(new Storage.AuditFilter { EventName = "CreateKey", Limit = 10 });
        Assert.Contains(events, e => e.Json.Contains($"\"requestID\":\"{requestId}\"", StringComparison.Ordinal));
        var verify = await Repo.CofferAsync(["audit", "verify", "--data-dir", _dataDir]);
        Assert.Equal(0, verify.ExitCode);
    }

    [Fact]
    public async Task Without_environment_credentials_a_restart_reuses_the_key_in_the_credentials_file()
    {
        string firstOutput;
        await using (var server = await CofferProcess.StartAsync(_dataDir))
        {
            firstOutput = server.Output;
            await server.KillAsync();
        }

        var credentials = await File.ReadAllLinesAsync(Path.Combine(_dataDir, "credentials"));
        Assert.Equal("[coffer]", credentials[0]);
        var id = credentials.Single(l => l.StartsWith("aws_access_key_id = ", StringComparison.Ordinal))["aws_access_key_id = ".Length..];
        var secret = credentials.Single(l => l.StartsWith("aws_secret_access_key = ", StringComparison.Ordinal))["aws_secret_access_key = ".Length..];
        Assert.Contains(id, firstOutput, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dataDir, "credentials")));

        await using (var server = await CofferProcess.StartAsync(_dataDir))
        {
            Assert.Contains(id, server.Output, StringComparison.Ordinal);
            await server.Kms(id, secret).ListKeysAsync(new ListKeysRequest());
        }
    }

    [Fact]
    public async Task Started_in_its_data_folder_it_neither_reads_an_appsettings_json_there_nor_watches_the_folder()
    {
        // Were the file read, its log level would let the host's start-up lines through.
        await File.WriteAllTextAsync(Path.Combine(_dataDir, "appsettings.json"), """{ "Logging": { "LogLevel": { "Default": "Information" } } }""");
        await using var server = await CofferProcess.StartAsync(_dataDir, _env, workingDirectory: _dataDir);
        var kms = server.Kms(_env["COFFER_DEV_ACCESS_KEY_ID"], _env["COFFER_DEV_SECRET_ACCESS_KEY"]);
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1, 2, 3]) });

        Assert.DoesNotContain("Microsoft.Hosting.Lifetime", server.Output, StringComparison.Ordinal);
        // A file watcher holds an inotify descriptor; one on the data folder would wake for every audit write.
        var descriptors = Directory.GetFiles($"/proc/{server.ProcessId}/fd").Select(fd => new FileInfo(fd).LinkTarget ?? "");
        Assert.DoesNotContain(descriptors, target => target.Contains("inotify", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SIGTERM_stops_the_server_cleanly()
    {
        // Through ./coffer, as a service manager runs it: the launcher must exec the server, or the signal stops only bash.
        await using var server = await CofferProcess.StartAsync(_dataDir, _env, viaLauncher: true);

        Assert.Equal(0, await server.TerminateAsync());
    }

    [Fact]
    public async Task No_plaintext_data_key_plaintext_or_access_key_secret_is_written_to_the_data_folder()
    {
        var secrets = new List<byte[]>();
        var plaintext = RandomNumberGenerator.GetBytes(32);
        secrets.Add(plaintext);
        await using (var server = await CofferProcess.StartAsync(_dataDir, _env))
        {
            var kms = server.Kms(_env["COFFER_DEV_ACCESS_KEY_ID"], _env["COFFER_DEV_SECRET_ACCESS_KEY"]);
            var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            for (var i = 0; i < 20; i++)
            {
                secrets.Add((await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 })).Plaintext.ToArray());
                await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext) });
            }

            await server.KillAsync();
        }

        secrets.Add(Encoding.UTF8.GetBytes(_env["COFFER_DEV_SECRET_ACCESS_KEY"]));
        foreach (var file in Directory.EnumerateFiles(_dataDir, "*", SearchOption.AllDirectories))
        {
            // The credentials file holds the admin secret by design in dev mode; nothing else may.
            if (Path.GetFileName(file) == "credentials")
            {
                continue;
            }

            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"A secret was found in {file}");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToBase64String(secret))) < 0, $"A base64 secret was found in {file}");
            }
        }
    }
}
