using System.Diagnostics.CodeAnalysis;
using Coffer.Storage;
using Coffer.Storage.Copy;
using Coffer.Storage.Postgres;
using Coffer.Storage.Sqlite;

namespace Coffer.Server;

/// <summary>
/// The one place that turns <see cref="StorageOptions"/> into stores. Everything it returns is a
/// storage contract, so the host and the CLI never name an engine; a new engine is one more arm
/// in each switch here.
/// </summary>
public static class StoreFactory
{
    /// <summary>Opens the records store, creating and migrating it when it is absent (the server, init).</summary>
    public static async Task<ICofferStore> OpenStoreAsync(StorageOptions storage, CancellationToken cancellationToken)
    {
        ICofferStore store = storage.Engine switch
        {
            StorageOptions.Sqlite => SqliteStore.InDirectory(storage.DataDir),
            StorageOptions.Postgres => new PostgresStore(Connection(storage)),
            _ => Unknown<ICofferStore>(storage),
        };
        return await InitializedAsync(store, (s, token) => s.InitializeAsync(token), cancellationToken);
    }

    /// <summary>
    /// Opens a records store that must exist already, for an operator command: an
    /// <see cref="IOException"/> names the place instead of an empty store being made there.
    /// </summary>
    public static async Task<ICofferStore> OpenExistingStoreAsync(StorageOptions storage, CancellationToken cancellationToken) =>
        await HasStoreAsync(storage, cancellationToken)
            ? await OpenStoreAsync(storage, cancellationToken)
            : throw new IOException(storage.Engine == StorageOptions.Postgres
                ? $"{storage.Describe()} holds no Coffer store (run 'coffer init' or 'coffer server' on it first)."
                : $"{storage.DataDir} is not a Coffer data folder.");

    /// <summary>
    /// Whether the records store exists (init refuses to overwrite one): SQLite's file, or on
    /// PostgreSQL a migrated schema holding at least one setting (the database itself is the
    /// operator's to create, so its mere existence says nothing).
    /// </summary>
    public static async Task<bool> HasStoreAsync(StorageOptions storage, CancellationToken cancellationToken) => storage.Engine switch
    {
        StorageOptions.Sqlite => File.Exists(Path.Combine(storage.DataDir, SqliteStore.FileName)),
        StorageOptions.Postgres => await PostgresStore.ExistsAsync(Connection(storage), cancellationToken),
        _ => Unknown<bool>(storage),
    };

    /// <summary>The audit store, not yet initialised: <c>AuditTrail.OpenAsync</c> initialises what it writes to.</summary>
    public static IAuditStore AuditStore(StorageOptions storage) => storage.Engine switch
    {
        StorageOptions.Sqlite => SqliteAuditStore.InDirectory(storage.DataDir),
        StorageOptions.Postgres => new PostgresAuditStore(Connection(storage)),
        _ => Unknown<IAuditStore>(storage),
    };

    /// <summary>The lease that lets one node of those sharing the store run the background jobs; SQLite has one node, which always holds it.</summary>
    public static IJobLease JobLease(StorageOptions storage) => storage.Engine switch
    {
        StorageOptions.Sqlite => new SingleNodeJobLease(),
        StorageOptions.Postgres => new PostgresJobLease(Connection(storage)),
        _ => Unknown<IJobLease>(storage),
    };

    /// <summary>Opens an audit trail that must exist already, for reading it; an <see cref="IOException"/> says it is absent.</summary>
    public static async Task<IAuditStore> OpenExistingAuditStoreAsync(StorageOptions storage, CancellationToken cancellationToken)
    {
        var missing = storage.Engine switch
        {
            StorageOptions.Sqlite => File.Exists(Path.Combine(storage.DataDir, SqliteAuditStore.FileName))
                ? null
                : $"{storage.DataDir} has no audit trail ({SqliteAuditStore.FileName}).",
            StorageOptions.Postgres => await PostgresAuditStore.ExistsAsync(Connection(storage), cancellationToken)
                ? null
                : $"{storage.Describe()} has no audit trail (no audit_events table).",
            _ => Unknown<string?>(storage),
        };
        if (missing is not null)
        {
            throw new IOException(missing);
        }

        return await InitializedAsync(AuditStore(storage), (s, token) => s.InitializeAsync(token), cancellationToken);
    }

    /// <summary>
    /// A consistent read-only view of a whole store (records and audit trail) that running servers
    /// may go on writing, for migrate-store and backup; an <see cref="IOException"/> says there is no store.
    /// </summary>
    public static Task<IStoreSnapshot> OpenSnapshotAsync(StorageOptions storage, CancellationToken cancellationToken) => storage.Engine switch
    {
        StorageOptions.Sqlite => SqliteStoreCopy.OpenSnapshotAsync(storage.DataDir, cancellationToken),
        StorageOptions.Postgres => PostgresStoreCopy.OpenSnapshotAsync(Connection(storage), cancellationToken),
        _ => Unknown<Task<IStoreSnapshot>>(storage),
    };

    /// <summary>Throws <see cref="StoreNotEmptyException"/> when the store holds data already; changes nothing.</summary>
    public static Task EnsureEmptyAsync(StorageOptions storage, CancellationToken cancellationToken)
    {
        switch (storage.Engine)
        {
            case StorageOptions.Sqlite:
                SqliteStoreCopy.EnsureEmpty(storage.DataDir);
                return Task.CompletedTask;
            case StorageOptions.Postgres:
                return PostgresStoreCopy.EnsureEmptyAsync(Connection(storage), cancellationToken);
            default:
                return Unknown<Task>(storage);
        }
    }

    /// <summary>An empty store to copy a snapshot into (<see cref="StoreNotEmptyException"/> when it is not empty); nothing stays unless the copy commits.</summary>
    public static Task<IStoreCopyTarget> CreateCopyTargetAsync(StorageOptions storage, CancellationToken cancellationToken) => storage.Engine switch
    {
        StorageOptions.Sqlite => SqliteStoreCopy.CreateTargetAsync(storage.DataDir, cancellationToken),
        StorageOptions.Postgres => PostgresStoreCopy.CreateTargetAsync(Connection(storage), cancellationToken),
        _ => Unknown<Task<IStoreCopyTarget>>(storage),
    };

    private static async Task<T> InitializedAsync<T>(T store, Func<T, CancellationToken, ValueTask> initialize, CancellationToken cancellationToken)
        where T : IAsyncDisposable
    {
        try
        {
            await initialize(store, cancellationToken);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    // The CLI checks StorageOptions.Problem first, so a missing connection string is a caller's bug here too.
    private static string Connection(StorageOptions storage) => storage.PostgresConnection is { Length: > 0 } connection
        ? connection
        : throw new InvalidOperationException(storage.Problem());

    // The CLI refuses an unknown engine before it gets here; reaching this is a bug in the caller.
    [DoesNotReturn]
    private static T Unknown<T>(StorageOptions storage) => throw new InvalidOperationException($"--storage: {StorageOptions.Unknown(storage.Engine)}");
}
