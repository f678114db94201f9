using Coffer.Barrier;
using Coffer.Service.Identity;
using Coffer.Storage;

namespace Coffer.Server;

/// <summary>An account's admin, as <c>coffer account create</c> prints it once.</summary>
public sealed record NewAccount(string AdminArn, string AccessKeyId, string SecretAccessKey);

/// <summary>
/// An existing dev deployment opened for an operator command while a server may be running on it:
/// the engine lets both write (SQLite through its WAL), and the server sees changes within its
/// one-second caches.
/// </summary>
public sealed class DataFolder : IAsyncDisposable
{
    private readonly DevFileSeal _seal;
    private readonly Keyring _keyring;
    private readonly TimeProvider _clock;

    private DataFolder(DevFileSeal seal, ICofferStore store, RecordBarrier barrier, TimeProvider clock)
    {
        _seal = seal;
        Store = store;
        _clock = clock;
        _keyring = new Keyring(clock);
        _keyring.Install(barrier);
        Directory = new AccessKeyDirectory(store, _keyring, clock);
    }

    public ICofferStore Store { get; }
    public AccessKeyDirectory Directory { get; }

    /// <summary>
    /// Creates another account with an admin user holding a new access key, or returns null when
    /// the account has its admin already (nothing is changed then).
    /// </summary>
    public async Task<NewAccount?> CreateAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        if (await Store.FindPrincipalAsync(accountId, PrincipalKind.User, DevAdmin.UserName, cancellationToken) is not null)
        {
            return null;
        }

        var accessKeyId = IdentityIds.AccessKeyId();
        var secret = IdentityIds.SecretAccessKey();
        await AccountBootstrap.EnsureAdminAsync(Store, Directory, _clock, accountId, DevAdmin.UserName, accessKeyId, secret, cancellationToken);
        return new NewAccount(IdentityIds.UserArn(accountId, DevAdmin.UserName), accessKeyId, secret);
    }

    public static async Task<DataFolder> OpenAsync(StorageOptions storage, TimeProvider clock, CancellationToken cancellationToken)
    {
        var dataDir = storage.DataDir;
        if (!await StoreFactory.HasStoreAsync(storage, cancellationToken) || !File.Exists(Path.Combine(dataDir, DevFileSeal.FileName)))
        {
            throw new IOException($"{dataDir} is not a Coffer dev data folder (start 'coffer server --dev --data-dir {dataDir}' once first). "
                + "A data folder sealed with shares cannot be changed offline.");
        }

        var seal = DevFileSeal.OpenOrCreate(dataDir);
        var store = await StoreFactory.OpenStoreAsync(storage, cancellationToken);
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
