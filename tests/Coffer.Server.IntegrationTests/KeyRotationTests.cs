using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Server.IntegrationTests;

public sealed class KeyRotationTests : KeyRotationTests<OnSqlite>;

public sealed class KeyRotationTestsOnPostgres : KeyRotationTests<OnPostgres>;

/// <summary>Automatic and on-demand rotation on a server whose clock the tests move by years.</summary>
public abstract class KeyRotationTests<TEngine> : IAsyncLifetime
    where TEngine : IEngine
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestCoffer _server = null!;

    private AmazonKeyManagementServiceClient Kms => _server.Kms();

    public async Task InitializeAsync() => _server = await TestCoffer.StartAsync(_clock, timersEvery: TimeSpan.FromDays(7), engine: TEngine.Name);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> CreateKeyAsync(string? spec = null, string? usage = null) =>
        (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata.KeyId;

    private async Task<byte[]> EncryptAsync(string keyId, byte value) =>
        (await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([value]) })).CiphertextBlob.ToArray();

    private static void Near(DateTimeOffset expected, DateTime? actual)
    {
        Assert.NotNull(actual);
        Assert.InRange(new DateTimeOffset(actual.Value.ToUniversalTime()), expected.AddSeconds(-2), expected.AddSeconds(2));
    }

    /// <summary>Moves the clock and runs a rotation pass; the server's own timer may have run it first, and one pass is enough either way.</summary>
    private async Task PassAsync(TimeSpan time)
    {
        _clock.Advance(time);
        await _server.App.RotationJob.RunOnceAsync();
    }

    [Fact]
    public async Task Over_simulated_years_a_key_rotates_on_schedule_and_every_old_ciphertext_still_decrypts()
    {
        var keyId = await CreateKeyAsync();
        await Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 365 });
        var status = await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });
        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(365, status.RotationPeriodInDays);
        Near(_clock.GetUtcNow().AddDays(365), status.NextRotationDate);

        var ciphertexts = new List<byte[]> { await EncryptAsync(keyId, 0) };
        await PassAsync(TimeSpan.FromDays(364));
        Assert.Empty((await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations);
        for (var year = 1; year <= 4; year++)
        {
            await PassAsync(TimeSpan.FromDays(year == 1 ? 2 : 365));
            ciphertexts.Add(await EncryptAsync(keyId, (byte)year));
        }

        var rotations = (await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations;
        var all = (await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = "ALL_KEY_MATERIAL" })).Rotations;
        var current = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId;
        Assert.Equal(4, rotations.Count);
        Assert.All(rotations, r => Assert.Equal("AUTOMATIC", r.RotationType.Value));
        Assert.Equal(5, all.Count);
        Assert.Null(all[0].RotationType);
        Assert.Equal(current, Assert.Single(all, r => r.KeyMaterialState == "CURRENT").KeyMaterialId);
        Assert.Equal(5, all.Select(r => r.KeyMaterialId).Distinct().Count());
        for (var i = 0; i < ciphertexts.Count; i++)
        {
            var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertexts[i]) });
            Assert.Equal([(byte)i], decrypted.Plaintext.ToArray());
            Assert.Equal(all[i].KeyMaterialId, decrypted.KeyMaterialId);
        }

        var moved = await Kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(ciphertexts[0]), DestinationKeyId = keyId });
        Assert.Equal(all[0].KeyMaterialId, moved.SourceKeyMaterialId);
        Assert.Equal(current, moved.DestinationKeyMaterialId);
        Assert.Equal(current, (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = moved.CiphertextBlob })).KeyMaterialId);
        var events = await _server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { EventName = "RotateKey", Limit = 100 });
        Assert.Equal(4, events.Count);
        Assert.All(events, e => Assert.Contains("\"eventType\":\"AwsServiceEvent\"", e.Json, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_disabled_key_is_not_rotated_until_it_is_enabled_again_and_disabling_rotation_stops_the_schedule()
    {
        var resting = await CreateKeyAsync();
        var stopped = await CreateKeyAsync();
        await Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = resting, RotationPeriodInDays = 90 });
        await Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = stopped, RotationPeriodInDays = 90 });
        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = resting });
        await Kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = stopped });

        await PassAsync(TimeSpan.FromDays(100));
        Assert.Empty((await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = resting })).Rotations);
        Assert.Empty((await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = stopped })).Rotations);
        var stoppedStatus = await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = stopped });
        Assert.False(stoppedStatus.KeyRotationEnabled);
        Assert.Null(stoppedStatus.RotationPeriodInDays);
        Assert.Null(stoppedStatus.NextRotationDate);

        await Kms.EnableKeyAsync(new EnableKeyRequest { KeyId = resting });
        await PassAsync(TimeSpan.FromMinutes(1));
        Assert.Single((await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = resting })).Rotations);
    }

    [Fact]
    public async Task On_demand_rotation_makes_new_material_current_keeps_the_schedule_and_stops_at_AWS_limit()
    {
        var keyId = await CreateKeyAsync();
        var arn = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.Arn;
        var before = await EncryptAsync(keyId, 1);
        var firstMaterial = (await Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 32 })).KeyMaterialId;

        var rotated = await Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });

        Assert.Equal(arn, rotated.KeyId);
        var after = await Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 32 });
        Assert.NotEqual(firstMaterial, after.KeyMaterialId);
        Assert.Equal(after.KeyMaterialId, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId);
        Assert.Equal(firstMaterial, (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(before) })).KeyMaterialId);
        Assert.False((await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId })).KeyRotationEnabled);
        var entry = Assert.Single((await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations);
        Assert.Equal("ON_DEMAND", entry.RotationType.Value);
        Assert.Equal(keyId, entry.KeyId);

        for (var i = 1; i < 25; i++)
        {
            await Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        }

        await Errors.ExpectAsync("LimitExceededException", () => Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }),
            $"The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {arn}");
        Assert.Equal([1], (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(before) })).Plaintext.ToArray());

        // 25 rotations, listed ten at a time.
        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, Limit = 10, Marker = marker });
            seen.AddRange(page.Rotations.Select(r => r.KeyMaterialId));
            Assert.True(page.Rotations.Count <= 10);
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        Assert.Equal(25, seen.Distinct().Count());
        await Errors.ExpectAsync("InvalidMarkerException", () => Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, Marker = "not-a-marker" }));
    }

    [Theory]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY")]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC")]
    public async Task Keys_that_are_not_symmetric_do_not_rotate(string spec, string usage)
    {
        var keyId = await CreateKeyAsync(spec, usage);

        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId }));
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = keyId }));
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }));
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId }));
        Assert.False((await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId })).KeyRotationEnabled);
    }

    [Fact]
    public async Task Rotation_follows_the_key_state_and_AWS_bounds_on_the_period()
    {
        var keyId = await CreateKeyAsync();
        var arn = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.Arn;

        // The SDK refuses these itself; the raw client sends what another client could.
        foreach (var days in new[] { 89, 2561, 0 })
        {
            var refused = await _server.Raw().SendAsync("EnableKeyRotation", $$"""{"KeyId":"{{keyId}}","RotationPeriodInDays":{{days}}}""");
            Assert.Equal(400, refused.Status);
            Assert.Equal("ValidationException", refused.Type);
        }

        await Errors.ExpectAsync("NotFoundException", () => Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = Guid.NewGuid().ToString() }));
        await Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId });
        Assert.Equal(365, (await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = arn })).RotationPeriodInDays);

        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        await Errors.ExpectAsync("DisabledException", () => Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId }), $"{arn} is disabled.");
        await Errors.ExpectAsync("DisabledException", () => Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }));
        Assert.True((await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId })).KeyRotationEnabled);

        await Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        await Errors.ExpectAsync("KMSInvalidStateException", () => Kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = keyId }), $"{arn} is pending deletion.");
        Assert.False((await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId })).KeyRotationEnabled);
        await Kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId });
        Assert.True((await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId })).KeyRotationEnabled);
    }

    [Fact]
    public async Task Changing_the_period_moves_the_next_rotation_from_the_last_one()
    {
        var keyId = await CreateKeyAsync();
        await Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 365 });
        var enabledAt = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromDays(100));

        await Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 180 });
        var shorter = await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });
        await Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
        var passed = await Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });

        Near(enabledAt.AddDays(180), shorter.NextRotationDate);
        Near(_clock.GetUtcNow(), passed.NextRotationDate);
    }

    [Fact]
    public async Task The_rotation_period_is_a_condition_key()
    {
        var keyId = await CreateKeyAsync();
        var user = await Iam.CreateUserAsync(_server, $"rotator{Random.Shared.Next(100_000, 999_999)}", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"kms:EnableKeyRotation","Resource":"*","Condition":{"NumericLessThanEquals":{"kms:RotationPeriodInDays":"180"}}}]}
            """);

        await user.Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 180 });
        await Errors.ExpectAsync("AccessDeniedException", () => user.Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId }));
    }
}
