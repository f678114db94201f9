using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Coffer.Service.Keys;
using Coffer.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// Key records are cached for speed, yet a change is honoured at once on the node that made it and
/// within a second on any other node sharing the store (here, a second store opened on the same
/// data folder writes as another node would).
/// </summary>
public sealed class CacheFreshnessTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestCoffer _server = null!;

    public async Task InitializeAsync() => _server = await TestCoffer.StartAsync(_clock);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_key_disabled_through_another_node_is_refused_here_within_a_second()
    {
        var kms = _server.Kms();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await EncryptAsync(keyId);

        await using (var otherNode = SqliteStore.InDirectory(_server.Options.DataDir))
        {
            await otherNode.InitializeAsync();
            var key = await otherNode.FindKeyAsync("us-east-1", keyId);
            Assert.True(await otherNode.UpdateKeyAsync(key! with { State = Core.KeyState.Disabled }, key));
        }

        _clock.Advance(KeyCache.Lifetime);
        await Errors.ExpectAsync("DisabledException", () => EncryptAsync(keyId));
        Assert.Equal(KeyState.Disabled, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task A_key_changed_through_this_node_is_seen_by_the_very_next_request()
    {
        var kms = _server.Kms();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await EncryptAsync(keyId);

        await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        await Errors.ExpectAsync("DisabledException", () => EncryptAsync(keyId));

        await kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId });
        await EncryptAsync(keyId);

        await kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "changed" });
        Assert.Equal("changed", (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.Description);

        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        await Errors.ExpectAsync("KMSInvalidStateException", () => EncryptAsync(keyId));
    }

    private Task<EncryptResponse> EncryptAsync(string keyId) =>
        _server.Kms().EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1, 2, 3]) });
}
