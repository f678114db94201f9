using Coffer.Server;

namespace Coffer.Storage.Tests;

/// <summary>
/// <see cref="StoreFactory"/>, the one place that opens an engine: what it opens is the engine
/// <see cref="StorageOptions"/> names, and a command that only reads never makes an empty store.
/// </summary>
public sealed class StoreFactoryTests
{
    private readonly StorageOptions _storage = new() { DataDir = Directory.CreateTempSubdirectory("coffer-factory-").FullName };

    [Fact]
    public async Task A_store_written_through_the_factory_is_read_back_through_it()
    {
        await using (var store = await StoreFactory.OpenStoreAsync(_storage, CancellationToken.None))
        {
            await store.TryInsertSettingAsync("probe", [1, 2, 3]);
        }

        Assert.True(StoreFactory.HasStore(_storage));
        await using var reopened = await StoreFactory.OpenExistingStoreAsync(_storage, CancellationToken.None);
        Assert.Equal([1, 2, 3], await reopened.GetSettingAsync("probe"));
    }

    [Fact]
    public async Task Reading_a_folder_without_stores_fails_with_its_name_and_creates_nothing()
    {
        var store = await Assert.ThrowsAsync<IOException>(() => StoreFactory.OpenExistingStoreAsync(_storage, CancellationToken.None));
        var audit = await Assert.ThrowsAsync<IOException>(() => StoreFactory.OpenExistingAuditStoreAsync(_storage, CancellationToken.None));

        Assert.Contains(_storage.DataDir, store.Message, StringComparison.Ordinal);
        Assert.Contains("no audit trail", audit.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_storage.DataDir));
    }

    [Fact]
    public async Task The_audit_trail_opened_for_reading_is_the_one_the_server_writes()
    {
        var record = new AuditRecord(1, DateTimeOffset.FromUnixTimeSeconds(1), "e1", "Encrypt", "kms.amazonaws.com", null, null, null, null, null, null, false, "", "{}", [7]);
        await using (var written = StoreFactory.AuditStore(_storage))
        {
            await written.InitializeAsync();
            await written.AppendAsync([record]);
        }

        await using var read = await StoreFactory.OpenExistingAuditStoreAsync(_storage, CancellationToken.None);
        Assert.Equal("e1", Assert.Single(await read.QueryAsync(new AuditFilter())).EventId);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("SQLITE")]
    [InlineData(null)]
    public async Task An_engine_this_build_lacks_is_named_in_a_clear_refusal(string? engine)
    {
        Assert.Contains("is not a storage engine this build has; use sqlite", StorageOptions.Unknown(engine), StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => StoreFactory.OpenStoreAsync(_storage with { Engine = engine! }, CancellationToken.None));
    }

    [Fact]
    public void Sqlite_is_the_default_engine()
    {
        Assert.Equal(StorageOptions.Sqlite, _storage.Engine);
        Assert.Null(StorageOptions.Unknown(StorageOptions.Sqlite));
    }
}
