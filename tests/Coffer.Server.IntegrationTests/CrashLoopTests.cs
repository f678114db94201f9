using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Coffer.Server.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// A real dev server killed with SIGKILL again and again while several clients change state:
/// whatever it acknowledged must be there after each restart, and so must its audit event.
/// </summary>
[StartsEarly(1)]
public sealed class CrashLoopTests(ITestOutputHelper output) : IDisposable
{
    // Fixed, so a failure can be replayed with the same kill moments and the same mix of operations.
    private const int Seed = 20_261_129;
    private const int Kills = 20;
    private const int Workers = 3;
    private const string AccessKeyId = "AKIACRASHLOOPTEST001";

    private readonly string _dataDir = Directory.CreateTempSubdirectory("coffer-crash-").FullName;
    private readonly string _secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Every_acknowledged_change_and_its_audit_event_survive_repeated_kill_9_under_load()
    {
        var clock = Stopwatch.StartNew();
        var env = new Dictionary<string, string> { ["COFFER_DEV_ACCESS_KEY_ID"] = AccessKeyId, ["COFFER_DEV_SECRET_ACCESS_KEY"] = _secret };
        var port = Repo.FreePort();
        var random = new Random(Seed);
        var ledger = new Ledger();
        var workers = Enumerable.Range(0, Workers).Select(i => new Worker(i, new Random(Seed + 1 + i), ledger)).ToArray();
        var checks = new Counts();

        CofferProcess? server = await CofferProcess.StartAsync(_dataDir, env, port);
        try
        {
            for (var round = 1; round <= Kills; round++)
            {
                ledger.Round = round;
                var killing = new CancellationTokenSource();
                using (var kms = Client(server!))
                {
                    var load = workers.Select(w => Task.Run(() => w.RunAsync(kms, killing.Token))).ToArray();
                    await Task.Delay(750 + random.Next(1000));
                    // Workers learn of the kill first, so that errors after this point count as the crash, not as bugs.
                    await killing.CancelAsync();
                    await server.KillAsync();
                    await Task.WhenAll(load);
                }

                await server.DisposeAsync();
                server = null;
                // The offline tools read the folder exactly as the crash left it, while the server starts again on it.
                var verify = Repo.CofferAsync(["audit", "verify", "--data-dir", _dataDir], timeout: TimeSpan.FromSeconds(60));
                var export = Repo.CofferAsync(["audit", "export", "--data-dir", _dataDir], timeout: TimeSpan.FromSeconds(60));
                server = await CofferProcess.StartAsync(_dataDir, env, port);

                var verified = await verify;
                Assert.True(verified.ExitCode == 0, $"audit verify failed after kill {round}: {verified.Stderr}");
                checks.Verifies++;
                using (var kms = Client(server))
                {
                    await CheckAsync(kms, ledger, everything: round == Kills, round, checks);
                }

                CheckTrail((await export).Stdout, ledger, round, checks);
            }

            Assert.Equal(0, await server!.TerminateAsync());
            var final = await Repo.CofferAsync(["audit", "verify", "--data-dir", _dataDir], timeout: TimeSpan.FromSeconds(60));
            Assert.True(final.ExitCode == 0, $"audit verify failed after the last clean stop: {final.Stderr}");
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        var errors = workers.SelectMany(w => w.UnexpectedErrors).ToList();
        Assert.True(errors.Count == 0, $"Requests failed before any kill:\n{string.Join('\n', errors.Take(5))}");
        var unacknowledged = workers.Sum(w => w.Unacknowledged);
        Assert.True(ledger.Keys.Count >= Kills && ledger.Ciphertexts.Count >= Kills && ledger.Aliases.Count > 0 && ledger.Grants.Count > 0 && ledger.PolicyRequests > 0,
            "The load was too thin to prove anything.");
        output.WriteLine(
            $"Crash loop (seed {Seed}): {Kills} kill -9 under load from {Workers} clients in {clock.Elapsed.TotalSeconds:F0} s; {ledger.Requests.Count} acknowledged requests " +
            $"({ledger.Keys.Count} keys, {ledger.Aliases.Count} aliases, {ledger.Grants.Count} grants, {ledger.PolicyRequests} key policies, {ledger.Ciphertexts.Count} ciphertexts; " +
            $"{unacknowledged} cut off by kills) all survived; {checks.Describes} describes, {checks.Aliases} alias resolutions, {checks.Grants} grant listings, " +
            $"{checks.Policies} policy reads, {checks.Decrypts} decrypts, {checks.Events} audit events found by request id, {checks.Verifies + 1} audit verifies passed.");
    }

    private AmazonKeyManagementServiceClient Client(CofferProcess server) =>
        new(new BasicAWSCredentials(AccessKeyId, _secret), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = server.Address.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            // A hang is a failure too: no call may wait longer than this.
            Timeout = TimeSpan.FromSeconds(15),
        });

    /// <summary>
    /// Checks what the last round acknowledged one by one (and, after the last kill, everything);
    /// keys and aliases are listed in full every round, so an earlier change lost later is caught too.
    /// </summary>
    private static async Task CheckAsync(AmazonKeyManagementServiceClient kms, Ledger ledger, bool everything, int round, Counts checks)
    {
        bool Due(int acknowledgedIn) => everything || acknowledgedIn == round;
        var calls = new List<Func<Task>>();

        var listed = new HashSet<string>();
        string? marker = null;
        do
        {
            var page = await kms.ListKeysAsync(new ListKeysRequest { Limit = 1000, Marker = marker });
            listed.UnionWith(page.Keys.Select(k => k.KeyId));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        foreach (var (keyId, acknowledgedIn) in ledger.Keys)
        {
            Assert.True(listed.Contains(keyId), $"Key {keyId}, created (acknowledged) in round {acknowledgedIn}, is missing after kill {round}.");
            if (Due(acknowledgedIn))
            {
                calls.Add(async () =>
                {
                    var described = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
                    Assert.Equal(KeyState.Enabled, described.KeyState);
                    Interlocked.Increment(ref checks.Describes);
                });
            }
        }

        var aliases = new Dictionary<string, string>();
        marker = null;
        do
        {
            var page = await kms.ListAliasesAsync(new ListAliasesRequest { Limit = 100, Marker = marker });
            foreach (var alias in page.Aliases.Where(a => a.TargetKeyId is not null))
            {
                aliases[alias.AliasName] = alias.TargetKeyId;
            }

            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        foreach (var (name, keyId, acknowledgedIn) in ledger.Aliases)
        {
            Assert.True(aliases.TryGetValue(name, out var target), $"Alias {name} (round {acknowledgedIn}) is missing after kill {round}.");
            Assert.Equal(keyId, target);
            if (Due(acknowledgedIn))
            {
                calls.Add(async () =>
                {
                    Assert.Equal(keyId, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = name })).KeyMetadata.KeyId);
                    Interlocked.Increment(ref checks.Aliases);
                });
            }
        }

        foreach (var byKey in ledger.Grants.Where(g => Due(g.Round)).GroupBy(g => g.KeyId))
        {
            calls.Add(async () =>
            {
                var grants = new HashSet<string>();
                string? next = null;
                do
                {
                    var page = await kms.ListGrantsAsync(new ListGrantsRequest { KeyId = byKey.Key, Limit = 100, Marker = next });
                    grants.UnionWith(page.Grants.Select(g => g.GrantId));
                    next = page.Truncated == true ? page.NextMarker : null;
                }
                while (next is not null);

                foreach (var grant in byKey)
                {
                    Assert.True(grants.Contains(grant.GrantId), $"Grant {grant.GrantId} on {grant.KeyId} (round {grant.Round}) is missing after kill {round}.");
                    Interlocked.Increment(ref checks.Grants);
                }
            });
        }

        foreach (var (keyId, policy) in ledger.Policies.Where(p => everything || p.Value.TouchedIn == round))
        {
            calls.Add(async () =>
            {
                var current = (await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = keyId, PolicyName = "default" })).Policy;
                // The last acknowledged policy, or one sent after it whose answer the kill cut off; nothing older, nothing else.
                Assert.True(policy.Allowed().Contains(current) || (policy.LastAcknowledged is null && !current.Contains(Worker.PolicyMark, StringComparison.Ordinal)),
                    $"Key {keyId} has a policy that was neither the last acknowledged one nor sent after it (kill {round}):\n{current}");
                Interlocked.Increment(ref checks.Policies);
            });
        }

        foreach (var sealedData in ledger.Ciphertexts.Where(c => Due(c.Round)))
        {
            calls.Add(async () =>
            {
                var decrypted = await kms.DecryptAsync(new DecryptRequest
                {
                    CiphertextBlob = new MemoryStream(sealedData.Blob),
                    EncryptionContext = new() { ["crash"] = sealedData.Context },
                });
                Assert.EndsWith($":key/{sealedData.KeyId}", decrypted.KeyId, StringComparison.Ordinal);
                Assert.Equal(sealedData.Plaintext, decrypted.Plaintext.ToArray());
                Interlocked.Increment(ref checks.Decrypts);
            });
        }

        // A few at a time, as the load was: the server's group commit makes that much cheaper than one by one.
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (call, _) => await call());
    }

    /// <summary>Every acknowledged request, from every round so far, has its own successful event in the trail.</summary>
    private static void CheckTrail(string export, Ledger ledger, int round, Counts checks)
    {
        var events = new Dictionary<string, (string Name, string? Error)>();
        foreach (var line in export.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (root.GetProperty("type").GetString() != "event")
            {
                continue;
            }

            var e = root.GetProperty("event");
            if (e.TryGetProperty("requestID", out var id) && id.GetString() is { } requestId)
            {
                events[requestId] = (e.GetProperty("eventName").GetString()!, e.TryGetProperty("errorCode", out var error) ? error.GetString() : null);
            }
        }

        var found = 0;
        foreach (var (requestId, operation, acknowledgedIn) in ledger.Requests)
        {
            Assert.True(events.TryGetValue(requestId, out var recorded),
                $"The audit event of acknowledged {operation} (request {requestId}, round {acknowledgedIn}) is missing after kill {round}.");
            Assert.Equal(operation, recorded.Name);
            Assert.Null(recorded.Error);
            found++;
        }

        checks.Events = found;
    }

    private sealed class Counts
    {
        public int Describes;
        public int Aliases;
        public int Grants;
        public int Policies;
        public int Decrypts;
        public int Events;
        public int Verifies;
    }

    private sealed record Sealed(string KeyId, byte[] Blob, byte[] Plaintext, string Context, int Round);

    private sealed record Grant(string KeyId, string GrantId, int Round);

    /// <summary>One key's policy history as the clients saw it. Only its creator writes it, one call at a time.</summary>
    private sealed class PolicyState
    {
        public string? LastAcknowledged;
        public readonly List<string> SentSince = [];
        public int TouchedIn;

        public HashSet<string> Allowed()
        {
            var allowed = new HashSet<string>(SentSince);
            if (LastAcknowledged is not null)
            {
                allowed.Add(LastAcknowledged);
            }

            return allowed;
        }
    }

    /// <summary>What the server acknowledged, shared by the workers. Every member is read only between rounds.</summary>
    private sealed class Ledger
    {
        public volatile int Round;
        public readonly List<(string KeyId, int Round)> Keys = [];
        public readonly List<(string Name, string KeyId, int Round)> Aliases = [];
        public readonly List<Grant> Grants = [];
        public readonly Dictionary<string, PolicyState> Policies = [];
        public readonly List<Sealed> Ciphertexts = [];
        public readonly List<(string RequestId, string Operation, int Round)> Requests = [];
        public int PolicyRequests;

        public void Acknowledged(string requestId, string operation, Action record)
        {
            lock (this)
            {
                Requests.Add((requestId, operation, Round));
                record();
            }
        }
    }

    /// <summary>One client: creates keys and then, on its own keys, aliases, grants, policies and ciphertexts.</summary>
    private sealed class Worker(int index, Random random, Ledger ledger)
    {
        public const string PolicyMark = "crash-loop-policy";
        private readonly List<string> _keys = [];
        private int _sequence;

        public List<string> UnexpectedErrors { get; } = [];
        public int Unacknowledged { get; private set; }

        public async Task RunAsync(AmazonKeyManagementServiceClient kms, CancellationToken killing)
        {
            while (!killing.IsCancellationRequested)
            {
                var roll = _keys.Count == 0 ? 0 : random.Next(100);
                var operation = roll switch { < 20 => "CreateKey", < 35 => "CreateAlias", < 50 => "CreateGrant", < 65 => "PutKeyPolicy", _ => "Encrypt" };
                try
                {
                    await RunOneAsync(kms, operation);
                }
                catch (Exception) when (killing.IsCancellationRequested)
                {
                    // The kill cut this call off: it was not acknowledged, so nothing is expected of it.
                    Unacknowledged++;
                }
                catch (Exception error)
                {
                    UnexpectedErrors.Add($"{operation}: {error.GetType().Name}: {error.Message}");
                    return;
                }
            }
        }

        private async Task RunOneAsync(AmazonKeyManagementServiceClient kms, string operation)
        {
            var n = ++_sequence;
            var key = _keys.Count == 0 ? null : _keys[random.Next(_keys.Count)];
            switch (operation)
            {
                case "CreateKey":
                {
                    var created = await kms.CreateKeyAsync(new CreateKeyRequest { Description = $"crash loop w{index} #{n}" });
                    var keyId = created.KeyMetadata.KeyId;
                    ledger.Acknowledged(created.ResponseMetadata.RequestId, operation, () => ledger.Keys.Add((keyId, ledger.Round)));
                    _keys.Add(keyId);
                    break;
                }

                case "CreateAlias":
                {
                    var name = $"alias/crash-w{index}-{n}";
                    var created = await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key });
                    ledger.Acknowledged(created.ResponseMetadata.RequestId, operation, () => ledger.Aliases.Add((name, key!, ledger.Round)));
                    break;
                }

                case "CreateGrant":
                {
                    var created = await kms.CreateGrantAsync(new CreateGrantRequest
                    {
                        KeyId = key,
                        GranteePrincipal = "arn:aws:iam::111122223333:user/admin",
                        Operations = [GrantOperation.Encrypt, GrantOperation.Decrypt],
                        Name = $"crash-w{index}-{n}",
                    });
                    ledger.Acknowledged(created.ResponseMetadata.RequestId, operation, () => ledger.Grants.Add(new Grant(key!, created.GrantId, ledger.Round)));
                    break;
                }

                case "PutKeyPolicy":
                {
                    var policy = $$"""
                        {"Version":"2012-10-17","Id":"{{PolicyMark}}-w{{index}}-{{n}}","Statement":[{"Sid":"Admin","Effect":"Allow",
                        "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}
                        """;
                    PolicyState state;
                    lock (ledger)
                    {
                        state = ledger.Policies.TryGetValue(key!, out var existing) ? existing : ledger.Policies[key!] = new PolicyState();
                        state.SentSince.Add(policy);
                        state.TouchedIn = ledger.Round;
                    }

                    var put = await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key, PolicyName = "default", Policy = policy });
                    ledger.Acknowledged(put.ResponseMetadata.RequestId, operation, () =>
                    {
                        state.LastAcknowledged = policy;
                        state.SentSince.Clear();
                        ledger.PolicyRequests++;
                    });
                    break;
                }

                default:
                {
                    var plaintext = RandomNumberGenerator.GetBytes(1 + random.Next(200));
                    var context = $"w{index}-{n}";
                    var encrypted = await kms.EncryptAsync(new EncryptRequest
                    {
                        KeyId = key,
                        Plaintext = new MemoryStream(plaintext),
                        EncryptionContext = new() { ["crash"] = context },
                    });
                    var blob = encrypted.CiphertextBlob.ToArray();
                    ledger.Acknowledged(encrypted.ResponseMetadata.RequestId, operation,
                        () => ledger.Ciphertexts.Add(new Sealed(key!, blob, plaintext, context, ledger.Round)));
                    break;
                }
            }
        }
    }
}
