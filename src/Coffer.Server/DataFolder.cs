using Coffer.Barrier;
using Coffer.Service.Identity;
using Coffer.Storage;
using Coffer.Storage.Sqlite;

namespace Coffer.Server;

/// <summary>
/// An existing data folder opened for an operator command while a server may be running on it:
/// SQLite's WAL lets both write, and the server sees changes within its one-second caches.
/// </summary>
public sealed class DataFolder : IAsyncDisposable
{
    private readonly DevFileSeal _seal;
    private readonly Keyring _keyring;

    private DataFolder(DevFileSeal seal, SqliteStore store, RecordBarrier barrier, TimeProvider clock)
    {
        _seal = seal;
        Store = store;
        _keyring = new Keyring(clock);
        _keyring.Install(barrier);
        Directory = new AccessKeyDirectory(store, _keyring, clock);
    }

    public ICofferStore Store { get; }
    public AccessKeyDirectory Directory { get; }

    public static async Task<DataFolder> OpenAsync(string dataDir, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(dataDir, SqliteStore.FileName)) || !File.Exists(Path.Combine(dataDir, DevFileSeal.FileName)))
        {
            throw new IOException($"{dataDir} is not a Coffer dev data folder (start 'coffer server --dev --data-dir {dataDir}' once first). "
                + "A data folder sealed with shares cannot be changed offline.");
        }

        var seal = DevFileSeal.OpenOrCreate(dataDir);
        var store = SqliteStore.InDirectory(dataDir);
        await store.InitializeAsync(cancellationToken);
        var barrier = await KeyHierarchy.OpenBarrierAsync(seal, store, cancellationToken);
        return new DataFolder(seal, store, barrier, clock);
    }

    public async ValueTask DisposeAsync()
    {
        Directory.Dispose();
        await Store.DisposeAsync();
        _keyring.Dispose();
        _seal.Dispose();
    }
}
