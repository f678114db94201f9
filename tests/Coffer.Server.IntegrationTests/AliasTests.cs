using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public sealed class AliasTests(ServerFixture<OnSqlite> fixture) : AliasTests<OnSqlite>(fixture);

public sealed class AliasTestsOnPostgres(ServerFixture<OnPostgres> fixture) : AliasTests<OnPostgres>(fixture);

public abstract class AliasTests<TEngine>(ServerFixture<TEngine> fixture) : IClassFixture<ServerFixture<TEngine>>
    where TEngine : IEngine
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Server.Kms();

    private string AliasArn(string name) => $"arn:aws:kms:us-east-1:{fixture.Server.AccountId}:{name}";

    private async Task<string> NewKeyAsync() => (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

    private static string NewAliasName() => $"alias/test-{Guid.NewGuid():N}";

    [Fact]
    public async Task An_alias_is_created_listed_moved_and_deleted()
    {
        var first = await NewKeyAsync();
        var second = await NewKeyAsync();
        var name = NewAliasName();

        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = first });
        var listed = (await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = first })).Aliases.Single();
        Assert.Equal(name, listed.AliasName);
        Assert.Equal(AliasArn(name), listed.AliasArn);
        Assert.Equal(first, listed.TargetKeyId);
        Assert.NotNull(listed.CreationDate);

        await _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = name, TargetKeyId = second });
        Assert.Empty((await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = first })).Aliases);
        Assert.Equal(second, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = name })).KeyMetadata.KeyId);

        await _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = name });
        Assert.Empty((await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = second })).Aliases);
        await Errors.ExpectAsync("NotFoundException", () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = name }));
    }

    [Fact]
    public async Task A_duplicate_alias_already_exists()
    {
        var keyId = await NewKeyAsync();
        var name = NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = keyId });

        await Errors.ExpectAsync("AlreadyExistsException", () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = keyId }),
            $"An alias with the name {AliasArn(name)} already exists");
    }

    [Fact]
    public async Task Alias_names_follow_AWS_rules()
    {
        var keyId = await NewKeyAsync();

        await Errors.ExpectAsync("ValidationException", () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "noprefix", TargetKeyId = keyId }),
            "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
        await Errors.ExpectAsync("InvalidAliasNameException", () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/aws/s3", TargetKeyId = keyId }));
        await Errors.ExpectAsync("ValidationException", () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = string.Concat("alias/has", " space"), TargetKeyId = keyId }),
            "1 validation error detected: Value 'alias/has space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
        await Errors.ExpectAsync("ValidationException", () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/a:b", TargetKeyId = keyId }),
            "alias/a:b contains invalid characters for an alias");
    }

    [Fact]
    public async Task Updating_or_deleting_a_missing_alias_is_NotFound()
    {
        var keyId = await NewKeyAsync();
        var name = NewAliasName();
        var message = $"Alias {AliasArn(name)} is not found.";

        await Errors.ExpectAsync("NotFoundException", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = name, TargetKeyId = keyId }), message);
        await Errors.ExpectAsync("NotFoundException", () => _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = name }), message);
        await Errors.ExpectAsync("NotFoundException", () => _kms.EncryptAsync(new EncryptRequest { KeyId = name, Plaintext = new MemoryStream([1]) }), message);
    }

    [Fact]
    public async Task An_alias_cannot_target_a_missing_key()
    {
        var missing = Guid.NewGuid().ToString();

        await Errors.ExpectAsync("NotFoundException", () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = NewAliasName(), TargetKeyId = missing }),
            $"Key 'arn:aws:kms:us-east-1:{fixture.Server.AccountId}:key/{missing}' does not exist");
    }

    [Fact]
    public async Task An_alias_may_be_deleted_while_its_key_is_pending_deletion_but_not_moved_onto_it()
    {
        var keyId = await NewKeyAsync();
        var live = await NewKeyAsync();
        var name = NewAliasName();
        var other = NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = keyId });
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = other, TargetKeyId = live });
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId });

        await Errors.ExpectAsync("KMSInvalidStateException", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = other, TargetKeyId = keyId }));
        await _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = name });
    }

    [Fact]
    public async Task ListAliases_pages_through_every_alias_in_name_order()
    {
        var kms = fixture.Server.Kms("eu-north-7");
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var names = Enumerable.Range(0, 5).Select(i => $"alias/page-{i}").ToList();
        foreach (var name in names)
        {
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = keyId });
        }

        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = await kms.ListAliasesAsync(new ListAliasesRequest { Limit = 2, Marker = marker });
            seen.AddRange(page.Aliases.Select(a => a.AliasName));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        Assert.Equal(names, seen);
        await Errors.ExpectAsync("InvalidMarkerException", () => kms.ListAliasesAsync(new ListAliasesRequest { Marker = "nonsense" }));
    }
}
