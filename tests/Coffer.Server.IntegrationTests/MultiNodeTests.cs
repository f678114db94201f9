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
/// Several real <c>coffer server --dev</c> processes on one PostgreSQL database, as an operator runs
/// them behind a load balancer: what one node acknowledges, the others serve; a change made through
/// one is honoured by the others within their one-second caches; races between nodes end as AWS
/// ends them; a node killed under load loses nothing it acknowledged; and the jobs lease moves to a
/// surviving node. The nodes share one data folder, where the dev root key lives.
/// </summary>
[StartsEarly(6)]
public sealed class MultiNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AccessKeyId = "AKIAMULTINODETEST001";

    /// <summary>The caches live one second; the rest is slack for a machine busy with parallel tests.</summary>
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(2);

    private readonly PostgresTestDatabase _database = new();
    private readonly string _dataDir = Directory.CreateTempSubdirectory("coffer-multinode-").FullName;
    private readonly string _secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
    private readonly List<CofferProcess> _nodes = [];

    public Task InitializeAsync() => _database.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _database.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private string[] Storage => ["--data-dir", _dataDir, "--storage", "postgres", "--postgres-connection", _database.ConnectionString];

    /// <summary>
    /// One after the other: the first node makes the store's tables and the dev root key, which
    /// the others then find, as an operator brings up the first node of a cluster before the rest.
    /// </summary>
    private async Task<CofferProcess[]> StartNodesAsync(int count = 2, params string[] extraArguments)
    {
        var env = new Dictionary<string, string> { ["COFFER_DEV_ACCESS_KEY_ID"] = AccessKeyId, ["COFFER_DEV_SECRET_ACCESS_KEY"] = _secret };
        for (var i = 0; i < count; i++)
        {
            _nodes.Add(await CofferProcess.StartAsync(_dataDir, env, dev: true,
                extraArguments: ["--storage", "postgres", "--postgres-connection", _database.ConnectionString, .. extraArguments]));
        }

        return [.. _nodes];
    }

    private AmazonKeyManagementServiceClient Kms(CofferProcess node) => Client(node, AccessKeyId, _secret);

    private static AmazonKeyManagementServiceClient Client(CofferProcess node, string accessKeyId, string secret) =>
        new(new BasicAWSCredentials(accessKeyId, secret), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = node.Address.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            // A hang is a failure too: no call may wait longer than this.
            Timeout = TimeSpan.FromSeconds(15),
        });

    private static async Task<string> NewKeyAsync(AmazonKeyManagementServiceClient kms, string? description = null, string? origin = null) =>
        (await kms.CreateKeyAsync(new CreateKeyRequest { Description = description, Origin = origin })).KeyMetadata.KeyId;

    private static Task<EncryptResponse> EncryptAsync(AmazonKeyManagementServiceClient kms, string keyId, byte[]? plaintext = null) =>
        kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext ?? [1, 2, 3]) });

    /// <summary>The AWS error code <paramref name="call"/> fails with, or null when it succeeds.</summary>
    private static async Task<string?> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (AmazonKeyManagementServiceException error)
        {
            return error.ErrorCode;
        }
    }

    /// <summary>
    /// Repeats <paramref name="call"/> until it ends with <paramref name="expected"/> (an AWS error code, or
    /// null for success) and returns how long that took; fails if it takes longer than <see cref="Propagation"/>.
    /// </summary>
    private static async Task<TimeSpan> WithinPropagationAsync(string? expected, Func<Task> call, string what)
    {
        var clock = Stopwatch.StartNew();
        string? last;
        while ((last = await OutcomeAsync(call)) != expected)
        {
            Assert.True(clock.Elapsed < Propagation, $"{what}: still {last ?? "success"} after {clock.Elapsed.TotalSeconds:F1} s, not {expected ?? "success"}.");
            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    [Fact]
    public async Task A_key_its_alias_and_its_grant_made_on_one_node_are_used_on_the_other()
    {
        var nodes = await StartNodesAsync();
        var (a, b) = (nodes[0], nodes[1]);
        var kmsA = Kms(a);
        var kmsB = Kms(b);
        var keyId = await NewKeyAsync(kmsA, "made on A");
        await kmsA.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/multi-node", TargetKeyId = keyId });
        var admin = new RawKmsClient(a.Address, AccessKeyId, _secret, "us-east-1");
        var userArn = (await Iam.CallAsync(admin, "CreateUser", new() { ["UserName"] = "grantee" })).Xml("Arn")!;
        var userKey = await Iam.CallAsync(admin, "CreateAccessKey", new() { ["UserName"] = "grantee" });
        var (userId, userSecret) = (userKey.Xml("AccessKeyId")!, userKey.Xml("SecretAccessKey")!);
        // Asked of A, which honours its own changes at once: without the grant the user may not use the key at all.
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(Client(a, userId, userSecret), keyId));
        var grant = await kmsA.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = keyId,
            GranteePrincipal = userArn,
            Operations = [GrantOperation.Encrypt, GrantOperation.Decrypt],
            Name = "multi-node",
        });

        // B has seen none of it before: the user's access key, the alias and the grant all come from the shared store.
        var plaintext = RandomNumberGenerator.GetBytes(48);
        var encrypted = await Client(b, userId, userSecret).EncryptAsync(new EncryptRequest
        {
            KeyId = "alias/multi-node",
            Plaintext = new MemoryStream(plaintext),
            EncryptionContext = new() { ["node"] = "b" },
        });
        var decrypted = await kmsA.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = new() { ["node"] = "b" } });

        Assert.EndsWith($":key/{keyId}", encrypted.KeyId, StringComparison.Ordinal);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.EndsWith($":key/{keyId}", decrypted.KeyId, StringComparison.Ordinal);
        var alias = Assert.Single((await kmsB.ListAliasesAsync(new ListAliasesRequest { KeyId = keyId })).Aliases);
        Assert.Equal("alias/multi-node", alias.AliasName);
        Assert.Equal(keyId, alias.TargetKeyId);
        Assert.Contains((await kmsB.ListAliasesAsync(new ListAliasesRequest())).Aliases, x => x.AliasName == "alias/multi-node" && x.TargetKeyId == keyId);
        var listed = Assert.Single((await kmsB.ListGrantsAsync(new ListGrantsRequest { KeyId = keyId })).Grants);
        Assert.Equal(grant.GrantId, listed.GrantId);
        Assert.Equal("made on A", (await kmsB.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/multi-node" })).KeyMetadata.Description);
    }

    [Fact]
    public async Task Disable_enable_and_scheduled_deletion_through_one_node_are_honoured_by_the_other_within_a_second()
    {
        var nodes = await StartNodesAsync();
        var kmsA = Kms(nodes[0]);
        var kmsB = Kms(nodes[1]);
        var keyId = await NewKeyAsync(kmsA);
        // Both nodes use the key first, so each holds it in its cache when the other changes it.
        await EncryptAsync(kmsA, keyId);
        await EncryptAsync(kmsB, keyId);

        await kmsA.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        await Errors.ExpectAsync("DisabledException", () => EncryptAsync(kmsA, keyId));
        var disabled = await WithinPropagationAsync("DisabledException", () => EncryptAsync(kmsB, keyId), "Encrypt on B after DisableKey on A");

        await kmsB.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId });
        await EncryptAsync(kmsB, keyId);
        var enabled = await WithinPropagationAsync(null, () => EncryptAsync(kmsA, keyId), "Encrypt on A after EnableKey on B");

        await kmsA.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        var scheduled = await WithinPropagationAsync("KMSInvalidStateException", () => EncryptAsync(kmsB, keyId), "Encrypt on B after ScheduleKeyDeletion on A");
        Assert.Equal(KeyState.PendingDeletion, (await kmsB.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);

        output.WriteLine($"Honoured by the other node after: disable {disabled.TotalMilliseconds:F0} ms, enable {enabled.TotalMilliseconds:F0} ms, " +
            $"scheduled deletion {scheduled.TotalMilliseconds:F0} ms.");
    }

    [Fact]
    public async Task A_key_policy_a_revoked_grant_a_deactivated_access_key_and_a_rotation_through_one_node_hold_on_the_other_within_a_second()
    {
        var nodes = await StartNodesAsync();
        var (a, b) = (nodes[0], nodes[1]);
        var kmsA = Kms(a);
        var kmsB = Kms(b);
        var admin = new RawKmsClient(a.Address, AccessKeyId, _secret, "us-east-1");
        var userArn = (await Iam.CallAsync(admin, "CreateUser", new() { ["UserName"] = "worker" })).Xml("Arn")!;
        var userKey = await Iam.CallAsync(admin, "CreateAccessKey", new() { ["UserName"] = "worker" });
        var userId = userKey.Xml("AccessKeyId")!;
        var workerOnB = Client(b, userId, userKey.Xml("SecretAccessKey")!);
        var granted = await NewKeyAsync(kmsA);
        var grant = await kmsA.CreateGrantAsync(new CreateGrantRequest { KeyId = granted, GranteePrincipal = userArn, Operations = [GrantOperation.Encrypt] });
        var policed = await NewKeyAsync(kmsA);
        // B uses everything once, so that each change below finds it in B's caches.
        await WithinPropagationAsync(null, () => EncryptAsync(workerOnB, granted), "the worker's first Encrypt on B");
        await EncryptAsync(kmsB, policed);

        await kmsA.RevokeGrantAsync(new RevokeGrantRequest { KeyId = granted, GrantId = grant.GrantId });
        var revoked = await WithinPropagationAsync("AccessDeniedException", () => EncryptAsync(workerOnB, granted), "Encrypt on B after RevokeGrant on A");

        var denyEncrypt = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}]}
            """;
        await kmsA.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = policed, PolicyName = "default", Policy = denyEncrypt });
        var policy = await WithinPropagationAsync("AccessDeniedException", () => EncryptAsync(kmsB, policed), "Encrypt on B after PutKeyPolicy on A");

        await kmsA.CreateGrantAsync(new CreateGrantRequest { KeyId = granted, GranteePrincipal = userArn, Operations = [GrantOperation.Encrypt] });
        await WithinPropagationAsync(null, () => EncryptAsync(workerOnB, granted), "Encrypt on B after a new grant on A");
        await Iam.CallAsync(admin, "UpdateAccessKey", new() { ["UserName"] = "worker", ["AccessKeyId"] = userId, ["Status"] = "Inactive" });
        var deactivated = await WithinPropagationAsync("UnrecognizedClientException", () => EncryptAsync(workerOnB, granted), "Encrypt on B after UpdateAccessKey Inactive on A");

        // The material B encrypts under must become the one A's rotation made current; Decrypt on A names it (KeyMaterialId).
        var rawB = new RawKmsClient(b.Address, AccessKeyId, _secret, "us-east-1");
        async Task<string> MaterialOfNewCiphertextOnB()
        {
            var encrypted = await rawB.SendAsync("Encrypt", JsonSerializer.Serialize(new { KeyId = granted, Plaintext = Convert.ToBase64String(new byte[] { 7 }) }));
            Assert.Equal(200, encrypted.Status);
            var blob = encrypted.Json.GetProperty("CiphertextBlob").GetString();
            var decrypted = await admin.SendAsync("Decrypt", JsonSerializer.Serialize(new { CiphertextBlob = blob }));
            Assert.Equal(200, decrypted.Status);
            return decrypted.Json.GetProperty("KeyMaterialId").GetString()!;
        }

        var before = await MaterialOfNewCiphertextOnB();
        await kmsA.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = granted });
        var clock = Stopwatch.StartNew();
        while (await MaterialOfNewCiphertextOnB() == before)
        {
            Assert.True(clock.Elapsed < Propagation, $"B still encrypts under the material from before A's rotation after {clock.Elapsed.TotalSeconds:F1} s.");
            await Task.Delay(50);
        }

        output.WriteLine($"Honoured by the other node after: grant revoked {revoked.TotalMilliseconds:F0} ms, key policy {policy.TotalMilliseconds:F0} ms, " +
            $"access key deactivated {deactivated.TotalMilliseconds:F0} ms, rotation {clock.Elapsed.TotalMilliseconds:F0} ms.");
    }

    [Fact]
    public async Task The_same_alias_created_through_two_nodes_at_once_is_created_once_and_refused_once()
    {
        var nodes = await StartNodesAsync();
        var kmsA = Kms(nodes[0]);
        var kmsB = Kms(nodes[1]);
        var keyA = await NewKeyAsync(kmsA);
        var keyB = await NewKeyAsync(kmsB);

        for (var round = 0; round < 10; round++)
        {
            var name = $"alias/race-{round}";
            var outcomes = await Task.WhenAll(
                OutcomeAsync(() => kmsA.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = keyA })),
                OutcomeAsync(() => kmsB.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = keyB })));

            Assert.True(outcomes.Count(o => o is null) == 1 && outcomes.Count(o => o == "AlreadyExistsException") == 1,
                $"Round {round}: A answered {outcomes[0] ?? "success"}, B answered {outcomes[1] ?? "success"}.");
            // The alias points where the request that succeeded said, on both nodes: the refused one changed nothing.
            var winner = outcomes[0] is null ? keyA : keyB;
            Assert.Equal(winner, (await kmsA.DescribeKeyAsync(new DescribeKeyRequest { KeyId = name })).KeyMetadata.KeyId);
            Assert.Equal(winner, (await kmsB.DescribeKeyAsync(new DescribeKeyRequest { KeyId = name })).KeyMetadata.KeyId);
        }

        var aliases = (await kmsB.ListAliasesAsync(new ListAliasesRequest { Limit = 100 })).Aliases.Where(x => x.AliasName.StartsWith("alias/race-", StringComparison.Ordinal));
        Assert.Equal(10, aliases.Count());
    }

    [Fact]
    public async Task Key_state_changes_racing_through_two_nodes_end_as_on_AWS_with_no_lost_update()
    {
        var nodes = await StartNodesAsync();
        var kmsA = Kms(nodes[0]);
        var kmsB = Kms(nodes[1]);

        for (var round = 0; round < 5; round++)
        {
            // Enable racing disable: both are allowed from either state, so both succeed, and both nodes then agree on who came last.
            var key = await NewKeyAsync(kmsA);
            var raced = await Task.WhenAll(
                OutcomeAsync(() => kmsA.EnableKeyAsync(new EnableKeyRequest { KeyId = key })),
                OutcomeAsync(() => kmsB.DisableKeyAsync(new DisableKeyRequest { KeyId = key })));
            Assert.True(raced.All(o => o is null), $"Round {round}: EnableKey on A answered {raced[0] ?? "success"}, DisableKey on B {raced[1] ?? "success"}.");
            // Past the caches' second, A answers from the store, and B must then agree with it.
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            var onA = (await kmsA.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key })).KeyMetadata.KeyState;
            Assert.Contains(onA, new[] { KeyState.Enabled, KeyState.Disabled });
            await WithinPropagationAsync(onA == KeyState.Disabled ? "DisabledException" : null, () => EncryptAsync(kmsB, key), $"Round {round}: B agreeing that the key is {onA}");

            // A description changed on one node while the other disables the key: both changes stay. A disable
            // written from a copy read before the description changed would put the old description back.
            var described = await NewKeyAsync(kmsA);
            var both = await Task.WhenAll(
                OutcomeAsync(() => kmsA.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = described, Description = $"round {round}" })),
                OutcomeAsync(() => kmsB.DisableKeyAsync(new DisableKeyRequest { KeyId = described })));
            Assert.True(both.All(o => o is null), $"Round {round}: UpdateKeyDescription on A answered {both[0] ?? "success"}, DisableKey on B {both[1] ?? "success"}.");
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            var metadata = (await kmsA.DescribeKeyAsync(new DescribeKeyRequest { KeyId = described })).KeyMetadata;
            Assert.Equal((KeyState.Disabled, $"round {round}"), (metadata.KeyState, metadata.Description));

            // Disable racing ScheduleKeyDeletion: whichever order they commit in, the key ends pending deletion. A disable
            // written over a scheduled deletion would be a lost update: it must be refused (KMSInvalidStateException) instead.
            var doomed = await NewKeyAsync(kmsB);
            var outcomes = await Task.WhenAll(
                OutcomeAsync(() => kmsA.DisableKeyAsync(new DisableKeyRequest { KeyId = doomed })),
                OutcomeAsync(() => kmsB.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = doomed, PendingWindowInDays = 7 })));
            Assert.True(outcomes[1] is null && outcomes[0] is null or "KMSInvalidStateException",
                $"Round {round}: DisableKey on A answered {outcomes[0] ?? "success"}, ScheduleKeyDeletion on B {outcomes[1] ?? "success"}.");
            // Each node may answer from its one-second cache until then; the store itself must hold PendingDeletion.
            foreach (var (kms, node) in new[] { (kmsA, "A"), (kmsB, "B") })
            {
                await WithinPropagationAsync("KMSInvalidStateException", () => EncryptAsync(kms, doomed), $"Round {round}: Encrypt on {node} of a key pending deletion");
                Assert.Equal(KeyState.PendingDeletion, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = doomed })).KeyMetadata.KeyState);
            }
        }
    }

    [Fact]
    public async Task The_same_grant_created_through_two_nodes_is_one_grant_as_on_AWS()
    {
        var nodes = await StartNodesAsync();
        var kmsA = Kms(nodes[0]);
        var kmsB = Kms(nodes[1]);
        var keyId = await NewKeyAsync(kmsA);
        CreateGrantRequest Grant(string name) => new()
        {
            KeyId = keyId,
            GranteePrincipal = "arn:aws:iam::111122223333:user/multi-node",
            Operations = [GrantOperation.Encrypt, GrantOperation.Decrypt],
            Name = name,
        };

        // A retry through another node, as a client behind a load balancer makes it.
        var first = await kmsA.CreateGrantAsync(Grant("retried"));
        var retried = await kmsB.CreateGrantAsync(Grant("retried"));
        Assert.Equal(first.GrantId, retried.GrantId);

        // A retry sent before the first answer came, through the other node.
        for (var round = 0; round < 10; round++)
        {
            var name = $"raced-{round}";
            var created = await Task.WhenAll(kmsA.CreateGrantAsync(Grant(name)), kmsB.CreateGrantAsync(Grant(name)));
            Assert.True(created[0].GrantId == created[1].GrantId, $"Round {round}: A made grant {created[0].GrantId}, B made grant {created[1].GrantId}.");
        }

        var grants = (await kmsB.ListGrantsAsync(new ListGrantsRequest { KeyId = keyId, Limit = 100 })).Grants;
        Assert.Equal(11, grants.Count);
        Assert.Equal(11, grants.Select(g => g.Name).Distinct().Count());
    }

    [Fact]
    public async Task A_node_killed_under_load_loses_nothing_either_node_acknowledged_and_the_other_serves_on()
    {
        var nodes = await StartNodesAsync();
        var (a, b) = (nodes[0], nodes[1]);
        var ledger = new Ledger();
        using var killing = new CancellationTokenSource();
        using var stopping = new CancellationTokenSource();
        var onA = Enumerable.Range(0, 2).Select(i => new Worker($"a{i}", Kms(a), ledger, new Random(i), killable: true)).ToArray();
        var onB = Enumerable.Range(0, 2).Select(i => new Worker($"b{i}", Kms(b), ledger, new Random(10 + i), killable: false)).ToArray();
        var load = onA.Select(w => Task.Run(() => w.RunAsync(killing.Token)))
            .Concat(onB.Select(w => Task.Run(() => w.RunAsync(stopping.Token)))).ToArray();

        // Enough load, not a fixed time: on a machine busy with the rest of the suite 2.5 s may hold only a few requests.
        await LoadUntilAsync(() => onA.Sum(w => w.Acknowledged) >= 40 && onB.Sum(w => w.Acknowledged) >= 20, load);
        // A's clients learn of the kill first, so that their errors from here on count as the crash, not as bugs.
        await killing.CancelAsync();
        await a.KillAsync();
        var beforeKill = onB.Sum(w => w.Acknowledged);
        await LoadUntilAsync(() => onB.Sum(w => w.Acknowledged) - beforeKill >= 40, load[onA.Length..]);
        await stopping.CancelAsync();
        await Task.WhenAll(load);

        var errors = onA.Concat(onB).SelectMany(w => w.UnexpectedErrors).ToList();
        Assert.True(errors.Count == 0, $"Requests failed that no kill explains:\n{string.Join('\n', errors.Take(5))}");
        var servedAfterKill = onB.Sum(w => w.Acknowledged) - beforeKill;
        Assert.True(onA.Sum(w => w.Acknowledged) > 10 && servedAfterKill > 10, "The load was too thin to prove anything.");
        Assert.Contains(ledger.Ciphertexts, c => c.Node == "B" && ledger.Keys.Contains((c.KeyId, "A")));

        // Everything through B, the survivor: it must serve what A acknowledged before it died.
        var kmsB = Kms(b);
        var keys = new HashSet<string>();
        string? marker = null;
        do
        {
            var page = await kmsB.ListKeysAsync(new ListKeysRequest { Limit = 1000, Marker = marker });
            keys.UnionWith(page.Keys.Select(k => k.KeyId));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        var aliases = new Dictionary<string, string>();
        marker = null;
        do
        {
            var page = await kmsB.ListAliasesAsync(new ListAliasesRequest { Limit = 100, Marker = marker });
            foreach (var alias in page.Aliases.Where(x => x.TargetKeyId is not null))
            {
                aliases[alias.AliasName] = alias.TargetKeyId;
            }

            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        foreach (var (keyId, node) in ledger.Keys)
        {
            Assert.True(keys.Contains(keyId), $"Key {keyId}, acknowledged by node {node}, is missing.");
        }

        foreach (var (name, keyId, node) in ledger.Aliases)
        {
            Assert.True(aliases.TryGetValue(name, out var target) && target == keyId, $"Alias {name} -> {keyId}, acknowledged by node {node}, is missing or points elsewhere.");
        }

        await Parallel.ForEachAsync(ledger.Ciphertexts, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (sealedData, _) =>
        {
            var decrypted = await kmsB.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(sealedData.Blob) });
            Assert.EndsWith($":key/{sealedData.KeyId}", decrypted.KeyId, StringComparison.Ordinal);
            Assert.Equal(sealedData.Plaintext, decrypted.Plaintext.ToArray());
        });

        Assert.Equal(0, await b.TerminateAsync());
        var verified = await Repo.CofferAsync(["audit", "verify", .. Storage], timeout: TimeSpan.FromSeconds(60));
        Assert.True(verified.ExitCode == 0, $"audit verify failed: {verified.Stdout}{verified.Stderr}");
        var export = await Repo.CofferAsync(["audit", "export", .. Storage], timeout: TimeSpan.FromSeconds(60));
        Assert.True(export.ExitCode == 0, export.Stderr);
        var events = new Dictionary<string, (string Name, string? Error)>();
        foreach (var line in export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (root.GetProperty("type").GetString() == "event" && root.GetProperty("event") is var e && e.TryGetProperty("requestID", out var id))
            {
                events[id.GetString()!] = (e.GetProperty("eventName").GetString()!, e.TryGetProperty("errorCode", out var error) ? error.GetString() : null);
            }
        }

        // The verified trail holds the event of every request either node acknowledged, in one chain.
        foreach (var (requestId, operation, node) in ledger.Requests)
        {
            Assert.True(events.TryGetValue(requestId, out var recorded), $"The audit event of {operation} (request {requestId}), acknowledged by node {node}, is missing.");
            Assert.Equal(operation, recorded.Name);
            Assert.Null(recorded.Error);
        }

        output.WriteLine($"{ledger.Requests.Count} acknowledged requests ({onA.Sum(w => w.Acknowledged)} by A before its kill -9, {onB.Sum(w => w.Acknowledged)} by B, " +
            $"{servedAfterKill} of them after the kill; {onA.Sum(w => w.Unacknowledged)} cut off): {ledger.Keys.Count} keys, {ledger.Aliases.Count} aliases and " +
            $"{ledger.Ciphertexts.Count} ciphertexts all served by B; {events.Count} audit events verified.");
    }

    [Fact]
    public async Task One_node_holds_the_jobs_lease_and_another_takes_it_over_and_runs_the_jobs_when_it_is_killed()
    {
        // Key jobs every second, so that one is seen to run within seconds. Each pass tries for the lease too,
        // so the take-over below may come sooner than the lease's own five-second attempts would bring it.
        var nodes = await StartNodesAsync(2, "--key-jobs-interval", "1");
        string[] jobs = [];
        for (var settling = Stopwatch.StartNew(); settling.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(100))
        {
            jobs = await Task.WhenAll(nodes.Select(JobsAsync));
            if (jobs.Contains("held"))
            {
                break;
            }
        }

        Assert.Equal(["held", "standby"], jobs.Order());
        var holder = nodes[Array.IndexOf(jobs, "held")];
        var standby = nodes[Array.IndexOf(jobs, "standby")];

        await holder.KillAsync();
        var takeOver = Stopwatch.StartNew();
        while (await JobsAsync(standby) != "held")
        {
            Assert.True(takeOver.Elapsed < TimeSpan.FromSeconds(10), $"The surviving node still stands by {takeOver.Elapsed.TotalSeconds:F0} s after the lease holder was killed.");
            await Task.Delay(100);
        }

        var tookOver = takeOver.Elapsed;

        // Only the survivor is left to run the expiry job: imported material that expires now must be deleted by it.
        var kms = Kms(standby);
        var keyId = await NewKeyAsync(kms, origin: OriginType.EXTERNAL);
        var parameters = await kms.GetParametersForImportAsync(new GetParametersForImportRequest
        {
            KeyId = keyId,
            WrappingAlgorithm = "RSAES_OAEP_SHA_256",
            WrappingKeySpec = "RSA_2048",
        });
        await kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = new MemoryStream(await OpenSsl.WrapForImportAsync(parameters.PublicKey.ToArray(), "RSAES_OAEP_SHA_256", RandomNumberGenerator.GetBytes(32))),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES,
            ValidTo = DateTime.UtcNow.AddSeconds(3),
        });
        await EncryptAsync(kms, keyId);
        var expiry = Stopwatch.StartNew();
        while ((await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState != KeyState.PendingImport)
        {
            Assert.True(expiry.Elapsed < TimeSpan.FromSeconds(10), "The survivor never deleted the expired key material: no node runs the key jobs.");
            await Task.Delay(200);
        }

        await Errors.ExpectAsync("KMSInvalidStateException", () => EncryptAsync(kms, keyId));
        output.WriteLine($"The survivor took the jobs lease {tookOver.TotalSeconds:F1} s after the holder's kill -9 and deleted expired material {expiry.Elapsed.TotalSeconds:F1} s after import.");
    }

    /// <summary>Lets the load run until <paramref name="enough"/> holds, a client stopped, or 30 s passed (the checks after it then say what was missing).</summary>
    private static async Task LoadUntilAsync(Func<bool> enough, Task[] load)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            await Task.Delay(250);
        }
        while (!enough() && !load.Any(t => t.IsCompleted) && clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    private static async Task<string> JobsAsync(CofferProcess node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var response = await http.GetAsync(new Uri(node.Address, "/health"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").GetString()!;
    }

    private sealed record Sealed(string KeyId, byte[] Blob, byte[] Plaintext, string Node);

    /// <summary>What the nodes acknowledged, shared by the clients of both, and which node acknowledged it.</summary>
    private sealed class Ledger
    {
        public readonly List<(string KeyId, string Node)> Keys = [];
        public readonly List<(string Name, string KeyId, string Node)> Aliases = [];
        public readonly List<Sealed> Ciphertexts = [];
        public readonly List<(string RequestId, string Operation, string Node)> Requests = [];

        public void Acknowledged(string requestId, string operation, string node, Action record)
        {
            lock (this)
            {
                Requests.Add((requestId, operation, node));
                record();
            }
        }

        public string? AnyKey(Random random)
        {
            lock (this)
            {
                return Keys.Count == 0 ? null : Keys[random.Next(Keys.Count)].KeyId;
            }
        }
    }

    /// <summary>
    /// One client of one node: creates keys and aliases for them, and encrypts under any key either
    /// node made, so that the survivor also serves keys the killed node created.
    /// </summary>
    private sealed class Worker(string name, AmazonKeyManagementServiceClient kms, Ledger ledger, Random random, bool killable)
    {
        private readonly string _node = name[..1].ToUpperInvariant();
        private readonly List<string> _keys = [];
        private int _sequence;

        public List<string> UnexpectedErrors { get; } = [];
        public int Acknowledged { get; private set; }
        public int Unacknowledged { get; private set; }

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var roll = _keys.Count == 0 ? 0 : random.Next(100);
                var operation = roll switch { < 20 => "CreateKey", < 45 => "CreateAlias", _ => "Encrypt" };
                try
                {
                    await RunOneAsync(operation);
                    Acknowledged++;
                }
                catch (Exception) when (killable && stop.IsCancellationRequested)
                {
                    // The kill cut this call off: it was not acknowledged, so nothing is expected of it.
                    Unacknowledged++;
                }
                catch (Exception error)
                {
                    UnexpectedErrors.Add($"{name} {operation}: {error.GetType().Name}: {error.Message}");
                    return;
                }
            }
        }

        private async Task RunOneAsync(string operation)
        {
            var n = ++_sequence;
            switch (operation)
            {
                case "CreateKey":
                {
                    var created = await kms.CreateKeyAsync(new CreateKeyRequest { Description = $"multi-node {name} #{n}" });
                    var keyId = created.KeyMetadata.KeyId;
                    ledger.Acknowledged(created.ResponseMetadata.RequestId, operation, _node, () => ledger.Keys.Add((keyId, _node)));
                    _keys.Add(keyId);
                    break;
                }

                case "CreateAlias":
                {
                    var alias = $"alias/multi-node-{name}-{n}";
                    var keyId = _keys[random.Next(_keys.Count)];
                    var created = await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = keyId });
                    ledger.Acknowledged(created.ResponseMetadata.RequestId, operation, _node, () => ledger.Aliases.Add((alias, keyId, _node)));
                    break;
                }

                default:
                {
                    var keyId = ledger.AnyKey(random)!;
                    var plaintext = RandomNumberGenerator.GetBytes(1 + random.Next(200));
                    var encrypted = await EncryptAsync(kms, keyId, plaintext);
                    var blob = encrypted.CiphertextBlob.ToArray();
                    ledger.Acknowledged(encrypted.ResponseMetadata.RequestId, operation, _node, () => ledger.Ciphertexts.Add(new Sealed(keyId, blob, plaintext, _node)));
                    break;
                }
            }
        }
    }
}
