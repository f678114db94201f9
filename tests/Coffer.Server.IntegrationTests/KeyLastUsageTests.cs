using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Coffer.Storage;
using Microsoft.Data.Sqlite;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// GetKeyLastUsage: the last successful cryptographic operation on a key, with its request id and
/// the id of its audit event, kept in memory and written to the store only in periodic batches.
/// Another account's key is not found, as for every operation without cross-account use (TenantIsolationTests).
/// </summary>
public sealed class KeyLastUsageTests(KeyLastUsageTests.Server fixture) : IClassFixture<KeyLastUsageTests.Server>
{
    private TestCoffer Coffer => fixture.Coffer;
    private AmazonKeyManagementServiceClient Kms => Coffer.Kms();

    /// <summary>A server whose timer never flushes during a test: the tests flush themselves, so the store changes only when they say.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public TestCoffer Coffer { get; private set; } = null!;

        public async Task InitializeAsync() => Coffer = await TestCoffer.StartAsync(keyUsageFlushEvery: TimeSpan.FromHours(1));

        public async Task DisposeAsync() => await Coffer.DisposeAsync();
    }

    private async Task<string> NewKeyAsync(string? spec = null, string? usage = null) =>
        (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata.KeyId;

    private Task<GetKeyLastUsageResponse> LastUsageAsync(string keyId) => Kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = keyId });

    private static async Task<string> EventIdOfAsync(TestCoffer coffer, string requestId)
    {
        var events = (await coffer.App.Audit.Store.QueryAsync(new AuditFilter { Limit = int.MaxValue }))
            .Select(e => JsonDocument.Parse(e.Json).RootElement)
            .Where(e => e.TryGetProperty("requestID", out var id) && id.GetString() == requestId);
        return Assert.Single(events).GetProperty("eventID").GetString()!;
    }

    [Fact]
    public async Task A_new_key_has_no_last_usage_and_its_tracking_starts_at_its_creation()
    {
        var created = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        var usage = await LastUsageAsync(created.Arn);

        Assert.Equal(created.KeyId, usage.KeyId);
        Assert.Null(usage.KeyLastUsage);
        Assert.Equal(created.CreationDate, usage.KeyCreationDate);
        Assert.Equal(created.CreationDate, usage.TrackingStartDate);
    }

    [Fact]
    public async Task Encrypt_is_reported_with_its_request_id_and_the_id_of_its_audit_event()
    {
        var key = await NewKeyAsync();

        var encrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) });
        var usage = (await LastUsageAsync(key)).KeyLastUsage;

        Assert.NotNull(usage);
        Assert.Equal("Encrypt", usage.Operation.Value);
        Assert.Equal(encrypted.ResponseMetadata.RequestId, usage.KmsRequestId);
        Assert.Equal(await EventIdOfAsync(Coffer, encrypted.ResponseMetadata.RequestId), usage.CloudTrailEventId);
        Assert.InRange(usage.Timestamp!.Value, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task A_failed_Decrypt_a_DryRun_and_a_DescribeKey_leave_the_last_usage_unchanged()
    {
        var key = await NewKeyAsync();
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]), EncryptionContext = new() { ["a"] = "b" } })).CiphertextBlob;
        var before = (await LastUsageAsync(key)).KeyLastUsage;

        // Authorized on the key, then refused: the context does not match.
        await Errors.ExpectAsync("InvalidCiphertextException", () => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()) }));
        await Errors.ExpectAsync("DryRunOperationException",
            () => Kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]), DryRun = true }));
        await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key });

        var after = (await LastUsageAsync(key)).KeyLastUsage;
        Assert.Equal("Encrypt", after.Operation.Value);
        Assert.Equal(before.CloudTrailEventId, after.CloudTrailEventId);
        Assert.Equal(before.KmsRequestId, after.KmsRequestId);
    }

    [Fact]
    public async Task ReEncrypt_counts_on_both_the_source_and_the_destination_key()
    {
        var (source, destination) = (await NewKeyAsync(), await NewKeyAsync());
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = source, Plaintext = new MemoryStream([1]) })).CiphertextBlob;

        var reEncrypted = await Kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = blob, DestinationKeyId = destination });

        var eventId = await EventIdOfAsync(Coffer, reEncrypted.ResponseMetadata.RequestId);
        foreach (var key in new[] { source, destination })
        {
            var usage = (await LastUsageAsync(key)).KeyLastUsage;
            Assert.Equal("ReEncrypt", usage.Operation.Value);
            Assert.Equal(reEncrypted.ResponseMetadata.RequestId, usage.KmsRequestId);
            Assert.Equal(eventId, usage.CloudTrailEventId);
        }
    }

    [Fact]
    public async Task Signing_MACs_and_data_keys_are_reported_under_their_operation_names()
    {
        var (signing, hmac, symmetric) = (await NewKeyAsync("ECC_NIST_P256", "SIGN_VERIFY"), await NewKeyAsync("HMAC_256", "GENERATE_VERIFY_MAC"), await NewKeyAsync());

        var signature = (await Kms.SignAsync(new SignRequest { KeyId = signing, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_256" })).Signature;
        Assert.Equal("Sign", (await LastUsageAsync(signing)).KeyLastUsage.Operation.Value);
        await Kms.VerifyAsync(new VerifyRequest { KeyId = signing, Message = new MemoryStream([1]), Signature = signature, SigningAlgorithm = "ECDSA_SHA_256" });
        Assert.Equal("Verify", (await LastUsageAsync(signing)).KeyLastUsage.Operation.Value);
        var mac = (await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac, Message = new MemoryStream([2]), MacAlgorithm = "HMAC_SHA_256" })).Mac;
        Assert.Equal("GenerateMac", (await LastUsageAsync(hmac)).KeyLastUsage.Operation.Value);
        await Kms.VerifyMacAsync(new VerifyMacRequest { KeyId = hmac, Message = new MemoryStream([2]), Mac = mac, MacAlgorithm = "HMAC_SHA_256" });
        Assert.Equal("VerifyMac", (await LastUsageAsync(hmac)).KeyLastUsage.Operation.Value);
        await Kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = symmetric, NumberOfBytes = 32 });
        Assert.Equal("GenerateDataKeyWithoutPlaintext", (await LastUsageAsync(symmetric)).KeyLastUsage.Operation.Value);

        // A MAC that does not match is no successful use.
        await Errors.ExpectAsync("KMSInvalidMacException",
            () => Kms.VerifyMacAsync(new VerifyMacRequest { KeyId = hmac, Message = new MemoryStream([3]), Mac = new MemoryStream(mac.ToArray()), MacAlgorithm = "HMAC_SHA_256" }));
        Assert.Equal("VerifyMac", (await LastUsageAsync(hmac)).KeyLastUsage.Operation.Value);
    }

    [Fact]
    public async Task Cryptographic_requests_write_nothing_to_the_database_until_a_flush_writes_their_last_uses_in_one_go()
    {
        var keys = new[] { await NewKeyAsync(), await NewKeyAsync() };
        await Coffer.App.FlushKeyUsageAsync();
        await using var watcher = new SqliteConnection($"Data Source={Path.Combine(Coffer.Options.DataDir, "coffer.db")};Pooling=False");
        await watcher.OpenAsync();
        var before = await DataVersionAsync(watcher);
        var rowsBefore = await RowsAsync(watcher);

        for (var i = 0; i < 50; i++)
        {
            await Kms.EncryptAsync(new EncryptRequest { KeyId = keys[i % 2], Plaintext = new MemoryStream([1]) });
        }

        // data_version moves when any other connection commits to the file: 50 requests, no commit.
        Assert.Equal(before, await DataVersionAsync(watcher));
        Assert.Equal(rowsBefore, await RowsAsync(watcher));
        Assert.Equal("Encrypt", (await LastUsageAsync(keys[0])).KeyLastUsage.Operation.Value);
        Assert.Equal(2, Coffer.App.KeyUsage.Pending);

        await Coffer.App.FlushKeyUsageAsync();

        Assert.NotEqual(before, await DataVersionAsync(watcher));
        Assert.Equal(rowsBefore + 2, await RowsAsync(watcher));
        Assert.Equal(0, Coffer.App.KeyUsage.Pending);
        Assert.Equal("Encrypt", (await LastUsageAsync(keys[1])).KeyLastUsage.Operation.Value);

        static async Task<long> DataVersionAsync(SqliteConnection connection)
        {
            await using var command = new SqliteCommand("PRAGMA data_version;", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        static async Task<long> RowsAsync(SqliteConnection connection)
        {
            await using var command = new SqliteCommand("SELECT COUNT(*) FROM key_last_usage;", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }

    [Fact]
    public async Task The_last_usage_and_the_tracking_start_survive_a_restart()
    {
        var coffer = await TestCoffer.StartAsync(keyUsageFlushEvery: TimeSpan.FromHours(1));
        await using var restarted = await RestartAfterUseAsync(coffer);
        var kms = restarted.Coffer.Kms();

        var usage = await kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = restarted.Key });

        Assert.Equal("Decrypt", usage.KeyLastUsage.Operation.Value);
        Assert.Equal(restarted.RequestId, usage.KeyLastUsage.KmsRequestId);
        Assert.Equal(await EventIdOfAsync(restarted.Coffer, restarted.RequestId), usage.KeyLastUsage.CloudTrailEventId);
        Assert.Equal(restarted.TrackingStart, restarted.Coffer.App.KeyUsage.TrackingStart);
        Assert.Equal(usage.KeyCreationDate, usage.TrackingStartDate);
    }

    private static async Task<Restarted> RestartAfterUseAsync(TestCoffer coffer)
    {
        try
        {
            var kms = coffer.Kms();
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) })).CiphertextBlob;
            var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob });
            Assert.Equal(1, coffer.App.KeyUsage.Pending);
            var trackingStart = coffer.App.KeyUsage.TrackingStart;
            // No flush but the one a clean stop makes.
            return new Restarted(await coffer.RestartAsync(), key, decrypted.ResponseMetadata.RequestId, trackingStart);
        }
        catch
        {
            await coffer.DisposeAsync();
            throw;
        }
    }

    private sealed record Restarted(TestCoffer Coffer, string Key, string RequestId, DateTimeOffset TrackingStart) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Coffer.DisposeAsync();
    }

    [Fact]
    public async Task An_alias_is_refused_as_AWS_refuses_it_for_key_only_operations()
    {
        var key = await NewKeyAsync();
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/last-usage", TargetKeyId = key });

        await Errors.ExpectAsync("NotFoundException", () => LastUsageAsync("alias/last-usage"), "Invalid keyId 'alias/last-usage'");
        await Errors.ExpectAsync("InvalidArnException", () => LastUsageAsync($"arn:aws:kms:us-east-1:{Coffer.AccountId}:alias/last-usage"),
            "Key Aliases are not supported for this operation.");
    }

    [Fact]
    public async Task At_its_capacity_the_tracker_drops_uses_of_further_keys_and_flushes_early()
    {
        await using var coffer = await TestCoffer.StartAsync(limits: new Service.KmsLimits { KeyUsagesPending = 2 }, keyUsageFlushEvery: TimeSpan.FromHours(1));
        var kms = coffer.Kms();
        var keys = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            keys.Add((await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId);
        }

        foreach (var key in keys)
        {
            await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) });
            Assert.InRange(coffer.App.KeyUsage.Pending, 0, 2);
        }

        // The second key filled the map, which asked for a flush long before the hourly timer.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(coffer.Options.DataDir, "coffer.db")};Pooling=False");
        await connection.OpenAsync();
        await using var rows = new SqliteCommand("SELECT COUNT(*) FROM key_last_usage;", connection);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((long)(await rows.ExecuteScalarAsync())! < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True((long)(await rows.ExecuteScalarAsync())! >= 2);
        // The early flush runs beside the requests: the third use found room again, or was dropped and counted.
        var recorded = 0;
        foreach (var key in keys)
        {
            recorded += (await kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key })).KeyLastUsage is null ? 0 : 1;
        }

        Assert.Equal(3, recorded + coffer.App.KeyUsage.Dropped);
    }
}
