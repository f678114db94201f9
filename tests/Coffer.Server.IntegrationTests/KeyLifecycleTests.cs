using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public sealed class KeyLifecycleTests(ServerFixture<OnSqlite> fixture) : KeyLifecycleTests<OnSqlite>(fixture);

public sealed class KeyLifecycleTestsOnPostgres(ServerFixture<OnPostgres> fixture) : KeyLifecycleTests<OnPostgres>(fixture);

public abstract class KeyLifecycleTests<TEngine>(ServerFixture<TEngine> fixture) : IClassFixture<ServerFixture<TEngine>>
    where TEngine : IEngine
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Server.Kms();
    private string Arn(string keyId) => $"arn:aws:kms:us-east-1:{fixture.Server.AccountId}:key/{keyId}";

    private async Task<string> NewKeyAsync(string description = "") =>
        (await _kms.CreateKeyAsync(new CreateKeyRequest { Description = description })).KeyMetadata.KeyId;

    [Fact]
    public async Task CreateKey_returns_an_enabled_symmetric_key_with_the_fields_AWS_returns()
    {
        var before = DateTime.UtcNow.AddSeconds(-1);
        var metadata = (await _kms.CreateKeyAsync(new CreateKeyRequest { Description = "orders" })).KeyMetadata;

        Assert.True(Guid.TryParseExact(metadata.KeyId, "D", out _));
        Assert.Equal(Arn(metadata.KeyId), metadata.Arn);
        Assert.Equal(fixture.Server.AccountId, metadata.AWSAccountId);
        Assert.Equal("orders", metadata.Description);
        Assert.True(metadata.Enabled);
        Assert.Equal(KeyState.Enabled, metadata.KeyState);
        Assert.Equal(KeyUsageType.ENCRYPT_DECRYPT, metadata.KeyUsage);
        Assert.Equal(KeySpec.SYMMETRIC_DEFAULT, metadata.KeySpec);
#pragma warning disable CS0618 // Deprecated by AWS, still returned, and old clients read it.
        Assert.Equal(CustomerMasterKeySpec.SYMMETRIC_DEFAULT, metadata.CustomerMasterKeySpec);
#pragma warning restore CS0618
        Assert.Equal(OriginType.AWS_KMS, metadata.Origin);
        Assert.Equal(KeyManagerType.CUSTOMER, metadata.KeyManager);
        Assert.Equal(["SYMMETRIC_DEFAULT"], metadata.EncryptionAlgorithms);
        Assert.False(metadata.MultiRegion);
        Assert.Null(metadata.DeletionDate);
        Assert.InRange(metadata.CreationDate!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task DescribeKey_accepts_key_id_key_arn_alias_name_and_alias_arn()
    {
        var keyId = await NewKeyAsync();
        var alias = $"alias/describe-{Guid.NewGuid():N}";
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = keyId });

        foreach (var reference in new[] { keyId, Arn(keyId), alias, $"arn:aws:kms:us-east-1:{fixture.Server.AccountId}:{alias}" })
        {
            var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = reference })).KeyMetadata;
            Assert.Equal(keyId, metadata.KeyId);
        }
    }

    [Fact]
    public async Task A_key_that_does_not_exist_is_NotFound_with_its_ARN()
    {
        var missing = Guid.NewGuid().ToString();

        await Errors.ExpectAsync("NotFoundException", () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = missing }),
            $"Key '{Arn(missing)}' does not exist");
        await Errors.ExpectAsync("NotFoundException", () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Arn(missing) }),
            $"Key '{Arn(missing)}' does not exist");
    }

    [Fact]
    public async Task A_malformed_key_id_is_NotFound_as_an_invalid_key_id()
    {
        await Errors.ExpectAsync("NotFoundException", () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "not-a-key" }),
            "Invalid keyId 'not-a-key'");
    }

    [Fact]
    public async Task A_key_arn_of_another_region_is_an_invalid_arn()
    {
        var keyId = await NewKeyAsync();

        await Errors.ExpectAsync("NotFoundException",
            () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = $"arn:aws:kms:eu-west-1:{fixture.Server.AccountId}:key/{keyId}" }),
            "Invalid arn eu-west-1");
    }

    [Fact]
    public async Task An_alias_that_does_not_exist_is_NotFound_with_the_alias_arn()
    {
        await Errors.ExpectAsync("NotFoundException", () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/nothing-here" }),
            $"Alias arn:aws:kms:us-east-1:{fixture.Server.AccountId}:alias/nothing-here is not found.");
    }

    [Fact]
    public async Task Key_management_operations_refuse_aliases_as_AWS_does()
    {
        var keyId = await NewKeyAsync();
        var alias = $"alias/mgmt-{Guid.NewGuid():N}";
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = keyId });

        await Errors.ExpectAsync("NotFoundException", () => _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = alias }), $"Invalid keyId '{alias}'");
        await Errors.ExpectAsync("InvalidArnException",
            () => _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = $"arn:aws:kms:us-east-1:{fixture.Server.AccountId}:{alias}" }),
            "Key Aliases are not supported for this operation.");
    }

    [Fact]
    public async Task UpdateKeyDescription_changes_the_description()
    {
        var keyId = await NewKeyAsync("before");

        await _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "after" });

        Assert.Equal("after", (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.Description);
    }

    [Fact]
    public async Task A_disabled_key_refuses_crypto_until_enabled_again()
    {
        var keyId = await NewKeyAsync();
        var blob = (await _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1, 2, 3]) })).CiphertextBlob;

        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal(KeyState.Disabled, metadata.KeyState);
        Assert.False(metadata.Enabled);
        await Errors.ExpectAsync("DisabledException", () => _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1]) }),
            $"{Arn(keyId)} is disabled.");
        await Errors.ExpectAsync("DisabledException", () => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()) }));
        await Errors.ExpectAsync("DisabledException",
            () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 }));

        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId });
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()) });
        Assert.Equal([1, 2, 3], decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task EnableKey_and_DisableKey_are_idempotent()
    {
        var keyId = await NewKeyAsync();

        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId });
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });

        Assert.Equal(KeyState.Disabled, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task ScheduleKeyDeletion_defaults_to_thirty_days_and_answers_with_the_arn()
    {
        var keyId = await NewKeyAsync();
        var before = DateTime.UtcNow;

        var response = await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId });

        Assert.Equal(Arn(keyId), response.KeyId);
        Assert.Equal(KeyState.PendingDeletion, response.KeyState);
        Assert.Equal(30, response.PendingWindowInDays);
        Assert.InRange(response.DeletionDate!.Value.ToUniversalTime(), before.AddDays(30).AddSeconds(-2), DateTime.UtcNow.AddDays(30).AddSeconds(2));
        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal(KeyState.PendingDeletion, metadata.KeyState);
        Assert.False(metadata.Enabled);
        Assert.NotNull(metadata.DeletionDate);
    }

    [Fact]
    public async Task A_key_pending_deletion_refuses_what_AWS_refuses_and_allows_the_rest()
    {
        var keyId = await NewKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        var pending = $"{Arn(keyId)} is pending deletion.";

        await Errors.ExpectAsync("KMSInvalidStateException", () => _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1]) }), pending);
        await Errors.ExpectAsync("KMSInvalidStateException", () => _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId }), pending);
        await Errors.ExpectAsync("KMSInvalidStateException", () => _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId }), pending);
        await Errors.ExpectAsync("KMSInvalidStateException",
            () => _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "x" }), pending);
        await Errors.ExpectAsync("KMSInvalidStateException",
            () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "a", TagValue = "b" }] }), pending);
        await Errors.ExpectAsync("KMSInvalidStateException", () => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId }), pending);
        await Errors.ExpectAsync("KMSInvalidStateException",
            () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = $"alias/p-{Guid.NewGuid():N}", TargetKeyId = keyId }), pending);

        Assert.Equal(KeyState.PendingDeletion, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);
        Assert.Empty((await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId })).Tags);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(31)]
    public async Task ScheduleKeyDeletion_outside_seven_to_thirty_days_is_a_validation_error(int days)
    {
        var keyId = await NewKeyAsync();

        await Errors.ExpectAsync("ValidationException",
            () => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = days }),
            "PendingWindowInDays must be between 7 and 30");
        Assert.Equal(KeyState.Enabled, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task CancelKeyDeletion_leaves_the_key_disabled()
    {
        var keyId = await NewKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId });

        var response = await _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId });

        Assert.Equal(Arn(keyId), response.KeyId);
        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal(KeyState.Disabled, metadata.KeyState);
        Assert.Null(metadata.DeletionDate);
    }

    [Fact]
    public async Task CancelKeyDeletion_of_a_key_not_pending_deletion_is_an_invalid_state()
    {
        var keyId = await NewKeyAsync();

        await Errors.ExpectAsync("KMSInvalidStateException", () => _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId }),
            $"{Arn(keyId)} is not pending deletion.");
    }

    [Fact]
    public async Task Keys_Coffer_does_not_make_here_are_refused_and_nothing_is_created()
    {
        var region = $"ap-south-{Random.Shared.Next(10, 99)}";
        var kms = fixture.Server.Kms(region);

        await Errors.ExpectAsync("UnsupportedOperationException", () => kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.SM2, KeyUsage = KeyUsageType.SIGN_VERIFY }));
        await Errors.ExpectAsync("ValidationException", () => kms.CreateKeyAsync(new CreateKeyRequest { KeyUsage = KeyUsageType.SIGN_VERIFY }),
            "KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT");
        await Errors.ExpectAsync("UnsupportedOperationException", () => kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.AWS_CLOUDHSM }));
        await Errors.ExpectAsync("UnsupportedOperationException", () => kms.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true }));

        Assert.Empty((await kms.ListKeysAsync(new ListKeysRequest())).Keys);
    }

    [Fact]
    public async Task ListKeys_pages_with_Limit_and_Marker()
    {
        var kms = fixture.Server.Kms("sa-east-9");
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId);
        }

        var seen = new List<string>();
        string? marker = null;
        var pages = 0;
        do
        {
            var page = await kms.ListKeysAsync(new ListKeysRequest { Limit = 2, Marker = marker });
            pages++;
            Assert.InRange(page.Keys.Count, 1, 2);
            Assert.All(page.Keys, k => Assert.Equal($"arn:aws:kms:sa-east-9:{fixture.Server.AccountId}:key/{k.KeyId}", k.KeyArn));
            seen.AddRange(page.Keys.Select(k => k.KeyId));
            Assert.Equal(page.Truncated == true, page.NextMarker is not null);
            marker = page.NextMarker;
        }
        while (marker is not null);

        Assert.Equal(3, pages);
        Assert.Equal(created.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task ListKeys_with_a_marker_it_never_gave_is_an_invalid_marker()
    {
        await Errors.ExpectAsync("InvalidMarkerException", () => _kms.ListKeysAsync(new ListKeysRequest { Marker = "garbage" }));
    }
}
