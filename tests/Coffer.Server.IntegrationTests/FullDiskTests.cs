using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Coffer.Server.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// A server whose data folder fills up: requests fail closed and never hang, nothing acknowledged
/// is lost, <c>/health</c> says so, and service comes back by itself when space returns.
/// </summary>
[StartsEarly(11)]
public sealed class FullDiskTests(ITestOutputHelper output)
{
    /// <summary>Longer than any healthy call takes here; a call that needs more counts as a hang.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private const string AccessKeyId = "AKIAFULLDISKTEST0001";

    [Fact]
    public async Task A_full_disk_fails_requests_closed_loses_nothing_and_service_resumes_when_space_returns()
    {
        var mountPoint = Directory.CreateTempSubdirectory("coffer-disk-").FullName;
        var why = await TryMountAsync(mountPoint);
        try
        {
            if (why is null)
            {
                await OnRealFullDiskAsync(mountPoint);
            }
            else
            {
                await OnInjectedFaultAsync(why);
            }
        }
        finally
        {
            if (why is null)
            {
                await UnmountAsync(mountPoint);
            }

            Directory.Delete(mountPoint, recursive: true);
        }
    }

    /// <summary>A tmpfs small enough to fill in a moment; null when mounted, else why not.</summary>
    private static async Task<string?> TryMountAsync(string mountPoint)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "not running as root";
        }

        try
        {
            var mount = await Repo.RunAsync("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", mountPoint], timeout: TimeSpan.FromSeconds(30));
            return mount.ExitCode == 0 ? null : $"mount failed: {mount.Stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return $"mount failed: {error.Message}";
        }
    }

    private static async Task UnmountAsync(string mountPoint)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if ((await Repo.RunAsync("umount", [mountPoint], timeout: TimeSpan.FromSeconds(30))).ExitCode == 0)
            {
                return;
            }

            await Task.Delay(300);
        }

        // Something still holds a file open; detach it so the machine is not left with a stray mount.
        await Repo.RunAsync("umount", ["-l", mountPoint], timeout: TimeSpan.FromSeconds(30));
    }

    private async Task OnRealFullDiskAsync(string mountPoint)
    {
        var dataDir = Path.Combine(mountPoint, "data");
        var filler = Path.Combine(mountPoint, "filler");
        var env = new Dictionary<string, string>
        {
            ["COFFER_DEV_ACCESS_KEY_ID"] = AccessKeyId,
            ["COFFER_DEV_SECRET_ACCESS_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)),
        };
        var port = Repo.FreePort();
        CofferProcess? server = await CofferProcess.StartAsync(dataDir, env, port);
        try
        {
            var kms = Client(server.Address, AccessKeyId, env["COFFER_DEV_SECRET_ACCESS_KEY"]);
            var scenario = new Scenario(kms, server.Address, output);
            await scenario.RunAsync(
                fill: () => Task.FromResult($"tmpfs of 16 MiB filled with {FillUp(filler) / 1024} KiB of zeros"),
                free: () => File.Delete(filler));

            Assert.Equal(0, await server.TerminateAsync());
            await server.DisposeAsync();
            server = null;
            await scenario.CheckStoppedFolderAsync(dataDir);

            // Everything acknowledged is also there for a new process reading the same files.
            server = await CofferProcess.StartAsync(dataDir, env, port);
            await new Scenario(Client(server.Address, AccessKeyId, env["COFFER_DEV_SECRET_ACCESS_KEY"]), server.Address, output, scenario).CheckAcknowledgedAsync();
            Assert.Equal(0, await server.TerminateAsync());
            output.WriteLine($"Full disk (mode: real tmpfs at {mountPoint}): {scenario.Summary}; all again after a restart.");
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Writes zeros until the filesystem refuses more; returns how many bytes fit.</summary>
    private static long FillUp(string path)
    {
        var zeros = new byte[64 * 1024];
        long written = 0;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var size in new[] { zeros.Length, 4096, 512, 1 })
        {
            try
            {
                while (true)
                {
                    file.Write(zeros, 0, size);
                    written += size;
                }
            }
            catch (IOException)
            {
                // Full at this granularity; smaller writes take up what is left.
            }
        }

        return written;
    }

    /// <summary>Without a filesystem to fill, the real SQLite trail is made to fail as a full disk would.</summary>
    private async Task OnInjectedFaultAsync(string why)
    {
        FailingAuditStore? store = null;
        var server = await TestCoffer.StartAsync(auditStore: dir => store = new FailingAuditStore(Storage.Sqlite.SqliteAuditStore.InDirectory(dir)));
        var stopped = false;
        try
        {
            var scenario = new Scenario(server.Kms(), server.Address, output);
            await scenario.RunAsync(
                fill: () =>
                {
                    store!.Fail = true;
                    return Task.FromResult("audit appends fail with an injected IOException");
                },
                free: () => store!.Fail = false);

            await server.App.DisposeAsync();
            stopped = true;
            await scenario.CheckStoppedFolderAsync(server.Options.DataDir);
            output.WriteLine($"Full disk (mode: injected I/O fault, because {why}): {scenario.Summary}.");
        }
        finally
        {
            if (!stopped)
            {
                await server.App.DisposeAsync();
            }

            Directory.Delete(server.Options.DataDir, recursive: true);
        }
    }

    private static AmazonKeyManagementServiceClient Client(Uri address, string accessKeyId, string secret) =>
        new(new BasicAWSCredentials(accessKeyId, secret), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = address.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            Timeout = Patience,
        });

    /// <summary>The steps and checks both modes share, and what the server acknowledged along the way.</summary>
    private sealed class Scenario(AmazonKeyManagementServiceClient kms, Uri address, ITestOutputHelper output, Scenario? earlier = null)
    {
        private readonly List<string> _keys = earlier?._keys ?? [];
        private readonly List<(string Name, string KeyId)> _aliases = earlier?._aliases ?? [];
        private readonly Dictionary<string, string> _policies = earlier?._policies ?? [];
        private readonly List<(string KeyId, byte[] Blob, byte[] Plaintext)> _ciphertexts = earlier?._ciphertexts ?? [];
        private readonly List<(string RequestId, string Operation)> _requests = earlier?._requests ?? [];
        private int _failedClosed;
        private string? _firstRefused;
        private string _operation = "";
        private int _n;

        public string Summary { get; private set; } = "";

        public async Task RunAsync(Func<Task<string>> fill, Action free)
        {
            var clock = Stopwatch.StartNew();
            // Two of each kind of change first, so there is something of every kind to lose.
            for (var i = 0; i < 10; i++)
            {
                await MustSucceedAsync(i);
            }

            var filled = await fill();
            var attempts = 0;
            var acknowledgedWhileFull = 0;
            (HttpStatusCode Status, string Audit) health = default;
            // Every request writes its event, so within a bounded number of them the trail meets the full disk.
            while (attempts < 400)
            {
                attempts++;
                if (await TryAsync(attempts))
                {
                    acknowledgedWhileFull++;
                }
                else
                {
                    health = await HealthAsync();
                    if (health.Audit != "ok")
                    {
                        break;
                    }
                }
            }

            Assert.True(_failedClosed > 0, $"No request failed in {attempts} attempts after the disk was filled ({filled}).");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
            Assert.Equal("failing", health.Audit);

            // While the disk stays full, every request is refused at once and in the AWS error shape.
            var whileFull = _failedClosed;
            for (var i = 0; i < 10; i++)
            {
                Assert.False(await TryAsync(attempts + i), "A request succeeded while the audit trail was known to be failing.");
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await HealthAsync()).Status);
            free();

            // No request is sent meanwhile: a node out of a load balancer's rotation gets none, and must still come back.
            var resumed = Stopwatch.StartNew();
            while ((health = await HealthAsync()).Status != HttpStatusCode.OK && resumed.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(200);
            }

            Assert.True(health.Status == HttpStatusCode.OK && health.Audit == "ok",
                $"/health still says {(int)health.Status} \"{health.Audit}\" {resumed.Elapsed.TotalSeconds:F0} s after space returned.");
            for (var i = 0; i < 5; i++)
            {
                await MustSucceedAsync(100 + i);
            }

            await CheckAcknowledgedAsync();
            Summary = $"{filled}; {acknowledgedWhileFull} requests acknowledged on the full disk, first refusal on {_firstRefused}; " +
                $"{_failedClosed} requests failed closed (5xx AWS error, none hung, {_failedClosed - whileFull} of them after /health said \"failing\"), " +
                $"/health 503 \"failing\" while full and 200 \"ok\" {resumed.Elapsed.TotalSeconds:F1} s after space returned with no request in between; " +
                $"{_requests.Count} acknowledged requests ({_keys.Count} keys, {_aliases.Count} aliases, {_policies.Count} policies, {_ciphertexts.Count} ciphertexts) intact; " +
                $"audit verify and SQLite integrity_check pass after stop ({clock.Elapsed.TotalSeconds:F0} s)";
        }

        /// <summary>One call of the mix; true if acknowledged. A failure must be a prompt 5xx in the AWS error shape.</summary>
        private async Task<bool> TryAsync(int i)
        {
            try
            {
                await CallAsync(i).WaitAsync(Patience);
                return true;
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Call {i} did not answer within {Patience.TotalSeconds} s on a full disk: it hung.");
                throw;
            }
            catch (AmazonKeyManagementServiceException error) when (error.StatusCode >= HttpStatusCode.InternalServerError)
            {
                Assert.Contains(error.ErrorCode, new[] { "KMSInternalException", "InternalFailure" });
                Assert.False(string.IsNullOrEmpty(error.Message));
                Assert.False(string.IsNullOrEmpty(error.RequestId));
                _failedClosed++;
                _firstRefused ??= _operation;
                return false;
            }
        }

        private async Task MustSucceedAsync(int i) => await CallAsync(i).WaitAsync(Patience);

        private async Task CallAsync(int i)
        {
            var n = ++_n;
            var key = _keys.Count == 0 ? null : _keys[^1];
            var kind = key is null ? 0 : i % 5;
            _operation = kind switch { 0 => "CreateKey", 1 => "Encrypt", 2 => "CreateAlias", 3 => "PutKeyPolicy", _ => "Decrypt" };
            switch (kind)
            {
                case 0:
                {
                    var created = await kms.CreateKeyAsync(new CreateKeyRequest { Description = $"full disk #{n}" });
                    _keys.Add(created.KeyMetadata.KeyId);
                    _requests.Add((created.ResponseMetadata.RequestId, "CreateKey"));
                    break;
                }

                case 1:
                {
                    var plaintext = RandomNumberGenerator.GetBytes(32);
                    var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(plaintext) });
                    _ciphertexts.Add((key!, encrypted.CiphertextBlob.ToArray(), plaintext));
                    _requests.Add((encrypted.ResponseMetadata.RequestId, "Encrypt"));
                    break;
                }

                case 2:
                {
                    var name = $"alias/full-disk-{n}";
                    var created = await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key });
                    _aliases.Add((name, key!));
                    _requests.Add((created.ResponseMetadata.RequestId, "CreateAlias"));
                    break;
                }

                case 3:
                {
                    var policy = $$"""
                        {"Version":"2012-10-17","Id":"full-disk-{{n}}","Statement":[{"Sid":"Admin","Effect":"Allow",
                        "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}
                        """;
                    var put = await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key, PolicyName = "default", Policy = policy });
                    _policies[key!] = policy;
                    _requests.Add((put.ResponseMetadata.RequestId, "PutKeyPolicy"));
                    break;
                }

                default:
                {
                    if (_ciphertexts.Count == 0)
                    {
                        var described = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key });
                        _requests.Add((described.ResponseMetadata.RequestId, "DescribeKey"));
                        break;
                    }

                    var (_, blob, plaintext) = _ciphertexts[^1];
                    var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
                    Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
                    _requests.Add((decrypted.ResponseMetadata.RequestId, "Decrypt"));
                    break;
                }
            }
        }

        public async Task CheckAcknowledgedAsync()
        {
            foreach (var key in _keys)
            {
                Assert.Equal(KeyState.Enabled, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key }).WaitAsync(Patience)).KeyMetadata.KeyState);
            }

            foreach (var (name, key) in _aliases)
            {
                Assert.Equal(key, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = name }).WaitAsync(Patience)).KeyMetadata.KeyId);
            }

            foreach (var (key, policy) in _policies)
            {
                Assert.Equal(policy, (await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key, PolicyName = "default" }).WaitAsync(Patience)).Policy);
            }

            foreach (var (key, blob, plaintext) in _ciphertexts)
            {
                var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }).WaitAsync(Patience);
                Assert.EndsWith($":key/{key}", decrypted.KeyId, StringComparison.Ordinal);
                Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
            }
        }

        /// <summary>After the server stopped: the trail verifies, holds every acknowledged request, and both databases are sound.</summary>
        public async Task CheckStoppedFolderAsync(string dataDir)
        {
            var verify = await Repo.CofferAsync(["audit", "verify", "--data-dir", dataDir], timeout: TimeSpan.FromSeconds(60));
            Assert.True(verify.ExitCode == 0, $"audit verify failed: {verify.Stderr}");
            var export = await Repo.CofferAsync(["audit", "export", "--data-dir", dataDir], timeout: TimeSpan.FromSeconds(60));
            Assert.Equal(0, export.ExitCode);
            var events = export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.GetProperty("type").GetString() == "event")
                .Select(l => l.GetProperty("event"))
                .Where(e => e.TryGetProperty("requestID", out var id) && id.ValueKind == JsonValueKind.String)
                .ToDictionary(e => e.GetProperty("requestID").GetString()!, e => e);
            foreach (var (requestId, operation) in _requests)
            {
                Assert.True(events.TryGetValue(requestId, out var recorded), $"The audit event of acknowledged {operation} (request {requestId}) is missing.");
                Assert.Equal(operation, recorded.GetProperty("eventName").GetString());
                Assert.False(recorded.TryGetProperty("errorCode", out _));
            }

            foreach (var file in new[] { "coffer.db", "audit.db" })
            {
                await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, file)};Mode=ReadOnly;Pooling=False");
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA integrity_check;";
                Assert.Equal("ok", (string?)await command.ExecuteScalarAsync());
            }

            output.WriteLine($"{events.Count} events in the trail; {_requests.Count} acknowledged requests found by request id.");
        }

        private async Task<(HttpStatusCode Status, string Audit)> HealthAsync()
        {
            using var http = new HttpClient { Timeout = Patience };
            using var response = await http.GetAsync(new Uri(address, "/health"));
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return (response.StatusCode, body.GetProperty("audit").GetString()!);
        }
    }
}
