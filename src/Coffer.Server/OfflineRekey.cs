using Coffer.Barrier;
using Coffer.Crypto;

namespace Coffer.Server;

/// <summary>
/// <c>coffer rekey</c> on a store whose servers are all stopped (on PostgreSQL, every node of the
/// database): <see cref="Rekey"/> on its store. A node left running keeps the old root of trust's
/// domain key in memory until it restarts.
/// </summary>
public static class OfflineRekey
{
    public static async Task<Initialized> RunAsync(StorageOptions storage, IReadOnlyList<SecretBytes> currentShares, string? currentPin, string? currentLibrary,
        int shares, int threshold, HsmKey? newHsm, CancellationToken cancellationToken)
    {
        await using var store = await StoreFactory.OpenExistingStoreAsync(storage, cancellationToken);
        var newShares = await Rekey.RunAsync(store, storage.Describe(), currentShares, currentPin, currentLibrary, shares, threshold, newHsm, cancellationToken);
        return new Initialized(newShares, "", "", "");
    }
}
