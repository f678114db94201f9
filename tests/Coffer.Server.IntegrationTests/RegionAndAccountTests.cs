using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public class RegionAndAccountTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_key_made_in_one_region_is_not_found_in_another()
    {
        var east = fixture.Server.Kms("us-east-1");
        var west = fixture.Server.Kms("eu-west-1");
        var keyId = (await east.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var blob = (await east.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1]) })).CiphertextBlob.ToArray();

        await Errors.ExpectAsync("NotFoundException", () => west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }),
            $"Key 'arn:aws:kms:eu-west-1:{fixture.Server.AccountId}:key/{keyId}' does not exist");
        Assert.DoesNotContain(keyId, (await west.ListKeysAsync(new ListKeysRequest { Limit = 1000 })).Keys.Select(k => k.KeyId));
        await Errors.ExpectAsync("InvalidCiphertextException", () => west.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
    }

    [Fact]
    public async Task Aliases_are_per_region()
    {
        var east = fixture.Server.Kms("us-east-1");
        var west = fixture.Server.Kms("us-west-2");
        var eastKey = (await east.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var westKey = (await west.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

        await east.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/shared-name", TargetKeyId = eastKey });
        await west.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/shared-name", TargetKeyId = westKey });

        Assert.Equal(eastKey, (await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/shared-name" })).KeyMetadata.KeyId);
        Assert.Equal(westKey, (await west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/shared-name" })).KeyMetadata.KeyId);
    }

    [Fact]
    public async Task A_custom_dev_account_id_appears_in_every_arn()
    {
        await using var server = await TestCoffer.StartAsync(accountId: "000000000000");
        var kms = server.Kms();

        var metadata = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        Assert.Equal("000000000000", metadata.AWSAccountId);
        Assert.StartsWith("arn:aws:kms:us-east-1:000000000000:key/", metadata.Arn);
    }

    [Fact]
    public async Task A_server_restricted_to_regions_refuses_requests_signed_for_others()
    {
        await using var server = await TestCoffer.StartAsync(regions: ["us-east-1"]);

        await server.Kms("us-east-1").ListKeysAsync(new ListKeysRequest());
        var response = await server.Raw("eu-west-1").SendAsync("ListKeys", "{}");

        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidSignatureException", response.Type);
        Assert.Equal("Credential should be scoped to a valid region, not 'eu-west-1'.", response.ErrorMessage);
    }
}
