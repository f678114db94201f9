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

        Assert.True(await StoreFactory.HasStoreAsync(_storage, CancellationToken.None));
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
    [InlineData("mysql")]
    [InlineData("SQLITE")]
    [InlineData("Postgres")]
    [InlineData(null)]
    public async Task An_engine_this_build_lacks_is_named_in_a_clear_refusal(string? engine)
    {
        Assert.Contains("is not a storage engine this build has; use sqlite or postgres", StorageOptions.Unknown(engine), StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => StoreFactory.OpenStoreAsync(_storage with { Engine = engine! }, CancellationToken.None));
    }

    [Fact]
    public void Sqlite_is_the_default_engine()
    {
        Assert.Equal(StorageOptions.Sqlite, _storage.Engine);
        Assert.Null(StorageOptions.Unknown(StorageOptions.Sqlite));
    }

    [Fact]
    public void Postgres_needs_a_connection_string_and_sqlite_takes_none()
    {
        Assert.Contains("needs --postgres-connection or COFFER_POSTGRES_CONNECTION", (_storage with { Engine = StorageOptions.Postgres }).Problem(), StringComparison.Ordinal);
        Assert.Contains("is for --storage postgres", (_storage with { PostgresConnection = "Host=db" }).Problem(), StringComparison.Ordinal);
        Assert.Contains("--postgres-connection: ", (_storage with { Engine = StorageOptions.Postgres, PostgresConnection = "Nonsense=1" }).Problem(), StringComparison.Ordinal);
        Assert.Null((_storage with { Engine = StorageOptions.Postgres, PostgresConnection = "Host=db;Username=coffer" }).Problem());
        Assert.Null(_storage.Problem());
        Assert.True(StorageOptions.HasPassword("Host=db;Password=secret"));
        Assert.False(StorageOptions.HasPassword("Host=db;Username=coffer"));
        Assert.DoesNotContain("secret", (_storage with { Engine = StorageOptions.Postgres, PostgresConnection = "Host=db;Password=secret" }).Describe(), StringComparison.Ordinal);
    }
}

/// <summary><see cref="StoreFactory"/> on PostgreSQL: a database is a store only once Coffer has written to it, and reading one never makes it one.</summary>
public sealed class PostgresStoreFactoryTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>, IAsyncLifetime
{
    private StorageOptions Storage => new()
    {
        Engine = StorageOptions.Postgres,
        DataDir = Directory.CreateTempSubdirectory("coffer-factory-").FullName,
        PostgresConnection = database.ConnectionString,
    };

    public Task InitializeAsync() => database.EmptyAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_store_written_through_the_factory_is_read_back_through_it()
    {
        var storage = Storage;
        Assert.False(await StoreFactory.HasStoreAsync(storage, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<IOException>(() => StoreFactory.OpenExistingStoreAsync(storage, CancellationToken.None));
        Assert.Contains("holds no Coffer store", refused.Message, StringComparison.Ordinal);

        await using (var store = await StoreFactory.OpenStoreAsync(storage, CancellationToken.None))
        {
            await store.TryInsertSettingAsync("probe", [1, 2, 3]);
        }

        Assert.True(await StoreFactory.HasStoreAsync(storage, CancellationToken.None));
        await using var reopened = await StoreFactory.OpenExistingStoreAsync(storage, CancellationToken.None);
        Assert.Equal([1, 2, 3], await reopened.GetSettingAsync("probe"));

        var record = new AuditRecord(1, DateTimeOffset.FromUnixTimeSeconds(1), "e1", "Encrypt", "kms.amazonaws.com", null, null, null, null, null, null, false, "", "{}", [7]);
        await using (var written = StoreFactory.AuditStore(storage))
        {
            await written.InitializeAsync();
            await written.AppendAsync([record]);
        }

        await using var read = await StoreFactory.OpenExistingAuditStoreAsync(storage, CancellationToken.None);
        Assert.Equal("e1", Assert.Single(await read.QueryAsync(new AuditFilter())).EventId);
    }
}
