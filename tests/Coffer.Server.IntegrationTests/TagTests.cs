using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public sealed class TagTests(ServerFixture<OnSqlite> fixture) : TagTests<OnSqlite>(fixture);

public sealed class TagTestsOnPostgres(ServerFixture<OnPostgres> fixture) : TagTests<OnPostgres>(fixture);

public abstract class TagTests<TEngine>(ServerFixture<TEngine> fixture) : IClassFixture<ServerFixture<TEngine>>
    where TEngine : IEngine
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Server.Kms();

    private async Task<List<Tag>> TagsAsync(string keyId) => (await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId })).Tags;

    [Fact]
    public async Task Tags_given_at_creation_are_listed_in_key_order()
    {
        var keyId = (await _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = [new Tag { TagKey = "team", TagValue = "payments" }, new Tag { TagKey = "env", TagValue = "" }],
        })).KeyMetadata.KeyId;

        var tags = await TagsAsync(keyId);

        Assert.Equal(["env", "team"], tags.Select(t => t.TagKey));
        Assert.Equal(["", "payments"], tags.Select(t => t.TagValue));
    }

    [Fact]
    public async Task TagResource_adds_and_overwrites_and_UntagResource_removes_ignoring_unknown_keys()
    {
        var keyId = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "a", TagValue = "1" }] })).KeyMetadata.KeyId;

        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "a", TagValue = "2" }, new Tag { TagKey = "b", TagValue = "3" }] });
        Assert.Equal(["a=2", "b=3"], (await TagsAsync(keyId)).Select(t => $"{t.TagKey}={t.TagValue}"));

        await _kms.UntagResourceAsync(new UntagResourceRequest { KeyId = keyId, TagKeys = ["a", "never-there"] });
        Assert.Equal(["b=3"], (await TagsAsync(keyId)).Select(t => $"{t.TagKey}={t.TagValue}"));
    }

    [Fact]
    public async Task Reserved_duplicate_and_too_many_tags_are_TagExceptions_and_create_nothing()
    {
        var kms = fixture.Server.Kms("me-central-4");

        await Errors.ExpectAsync("TagException", () => kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "aws:owner", TagValue = "x" }] }),
            "Tags beginning with aws: are reserved");
        await Errors.ExpectAsync("TagException", () => kms.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = [new Tag { TagKey = "k", TagValue = "1" }, new Tag { TagKey = "k", TagValue = "2" }],
        }), "Duplicate tag keys");
        await Errors.ExpectAsync("TagException", () => kms.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = Enumerable.Range(0, 51).Select(i => new Tag { TagKey = $"k{i}", TagValue = "v" }).ToList(),
        }), "Too many tags");

        Assert.Empty((await kms.ListKeysAsync(new ListKeysRequest())).Keys);
    }

    [Fact]
    public async Task A_key_holds_at_most_fifty_tags()
    {
        var keyId = (await _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = Enumerable.Range(0, 50).Select(i => new Tag { TagKey = $"k{i:D2}", TagValue = "v" }).ToList(),
        })).KeyMetadata.KeyId;

        await Errors.ExpectAsync("LimitExceededException",
            () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "one-more", TagValue = "v" }] }));
        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "k00", TagValue = "replaced" }] });

        var first = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId, Limit = 30 });
        var second = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId, Limit = 30, Marker = first.NextMarker });
        Assert.True(first.Truncated);
        Assert.False(second.Truncated);
        Assert.Equal(50, first.Tags.Count + second.Tags.Count);
        Assert.Equal("replaced", first.Tags[0].TagValue);
    }

    [Fact]
    public async Task A_tag_key_longer_than_128_characters_is_a_validation_error_naming_the_member()
    {
        var keyId = (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var longKey = new string('k', 129);

        await Errors.ExpectAsync("ValidationException",
            () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = longKey, TagValue = "v" }] }),
            $"1 validation error detected: Value '{longKey}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128");
    }
}
