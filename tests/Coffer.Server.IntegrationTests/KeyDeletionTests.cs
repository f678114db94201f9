using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Server.IntegrationTests;

public sealed class KeyDeletionTests : KeyDeletionTests<OnSqlite>
{
    [Fact]
    public Task A_destroyed_keys_sealed_material_is_nowhere_in_the_data_folder() => DestroyedMaterialIsNowhereInTheDataFolderAsync();
}

public sealed class KeyDeletionTestsOnPostgres : KeyDeletionTests<OnPostgres>;

public abstract class KeyDeletionTests<TEngine> : IAsyncLifetime
    where TEngine : IEngine
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestCoffer _server = null!;

    public async Task InitializeAsync() => _server = await TestCoffer.StartAsync(_clock, engine: TEngine.Name);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task After_the_waiting_period_the_key_its_aliases_and_its_ciphertexts_are_gone()
    {
        var kms = _server.Kms();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/doomed", TargetKeyId = keyId });
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1, 2]) })).CiphertextBlob.ToArray();
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });

        _clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await _server.App.DeletionJob.RunOnceAsync());
        Assert.Equal(KeyState.PendingDeletion, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);

        _clock.Advance(TimeSpan.FromMinutes(2));
        // The server's own timer may win the race to delete it; either way one pass is enough.
        await _server.App.DeletionJob.RunOnceAsync();

        await Errors.ExpectAsync("NotFoundException", () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }));
        await Errors.ExpectAsync("NotFoundException", () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/doomed" }));
        Assert.Empty((await kms.ListAliasesAsync(new ListAliasesRequest())).Aliases);
        Assert.DoesNotContain(keyId, (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Select(k => k.KeyId));
        await Errors.ExpectAsync("InvalidCiphertextException", () => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
    }

    [Fact]
    public async Task A_cancelled_deletion_survives_the_deletion_date()
    {
        var kms = _server.Kms();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        await kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId });

        _clock.Advance(TimeSpan.FromDays(8));
        await _server.App.DeletionJob.RunOnceAsync();

        Assert.Equal(KeyState.Disabled, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task The_background_job_runs_on_the_server_clock()
    {
        var kms = _server.Kms();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });

        // The timer ticks every minute of the injected clock; moving it past the date fires it.
        _clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        _clock.Advance(TimeSpan.FromMinutes(1));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId });
            }
            catch (Amazon.KeyManagementService.Model.NotFoundException)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The deletion job did not remove the key within 10 seconds of the clock passing its deletion date.");
    }

    /// <summary>SQLite only: PostgreSQL keeps dead row versions until VACUUM (docs/operations.md, Crypto-shredding).</summary>
    protected async Task DestroyedMaterialIsNowhereInTheDataFolderAsync()
    {
        var kms = _server.Kms();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var probe = StoreFiles.SealedMaterialOf(_server, keyId)[^32..];
        Assert.True(StoreFiles.Contains(_server, probe), "the sealed material should be found before deletion, or this test proves nothing");
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        _clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await _server.App.DeletionJob.RunOnceAsync();

        await Errors.ExpectAsync("NotFoundException", () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }));
        Assert.False(StoreFiles.Contains(_server, probe), "the destroyed key's sealed material is still on disk");
    }
}
