using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Server;

/// <summary>
/// Opens the key hierarchy at start: the seal gives the root key, which unwraps the domain key
/// stored in the store (made and wrapped on first start). The domain key then lives only inside
/// the record barrier.
/// </summary>
public static class KeyHierarchy
{
    public const string DomainKeySetting = "domain-key.v1";

    public static async Task<RecordBarrier> OpenBarrierAsync(ISeal seal, ICofferStore store, CancellationToken cancellationToken)
    {
        var wrapped = await store.GetSettingAsync(DomainKeySetting, cancellationToken);
        if (wrapped is null)
        {
            using var fresh = SecretBytes.Random(32);
            await store.TryInsertSettingAsync(DomainKeySetting, seal.WrapDomainKey(fresh), cancellationToken);
            // Another node may have won the race: always use what the store holds.
            wrapped = await store.GetSettingAsync(DomainKeySetting, cancellationToken)
                ?? throw new InvalidOperationException("The domain key could not be stored.");
        }

        return new RecordBarrier(seal.UnwrapDomainKey(wrapped), 1);
    }
}
