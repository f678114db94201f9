using Coffer.Barrier;
using Coffer.Crypto;
using Coffer.Storage.Sqlite;

namespace Coffer.Server;

/// <summary><c>coffer rekey</c> on a data folder whose server is stopped: <see cref="Rekey"/> on its store.</summary>
public static class OfflineRekey
{
    public static async Task<Initialized> RunAsync(string dataDir, IReadOnlyList<SecretBytes> currentShares, string? currentPin, string? currentLibrary,
        int shares, int threshold, HsmKey? newHsm, CancellationToken cancellationToken)
    {
        await using var store = SqliteStore.InDirectory(dataDir);
        await store.InitializeAsync(cancellationToken);
        var newShares = await Rekey.RunAsync(store, dataDir, currentShares, currentPin, currentLibrary, shares, threshold, newHsm, cancellationToken);
        return new Initialized(newShares, "", "", "");
    }
}
