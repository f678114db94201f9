using System.Buffers.Binary;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Barrier;

/// <summary>
/// Opens the key hierarchy: the seal gives the root key, which unwraps the domain key versions
/// stored in the store (version 1 is made and wrapped on first start). During a domain-key
/// rotation two versions exist; records name the version that encrypted them.
/// </summary>
public static class KeyHierarchy
{
    public const string DomainKeySetting = "domain-key.v1";
    public const string CurrentVersionSetting = "domain-key.current";

    public static string SettingFor(uint version) => $"domain-key.v{version}";

    public static async Task<uint> CurrentVersionAsync(ICofferStore store, CancellationToken cancellationToken) =>
        await store.GetSettingAsync(CurrentVersionSetting, cancellationToken) is { Length: 4 } bytes ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : 1;

    public static byte[] VersionBytes(uint version)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, version);
        return bytes;
    }

    /// <summary>Every stored domain key version, wrapped, from the current one down.</summary>
    public static async Task<List<(uint Version, byte[] Wrapped)>> WrappedKeysAsync(ICofferStore store, CancellationToken cancellationToken)
    {
        var keys = new List<(uint, byte[])>();
        for (var version = await CurrentVersionAsync(store, cancellationToken); version >= 1; version--)
        {
            if (await store.GetSettingAsync(SettingFor(version), cancellationToken) is not { } wrapped)
            {
                break;
            }

            keys.Add((version, wrapped));
        }

        return keys;
    }

    public static async Task<RecordBarrier> OpenBarrierAsync(ISeal seal, ICofferStore store, CancellationToken cancellationToken)
    {
        var wrappedKeys = await WrappedKeysAsync(store, cancellationToken);
        if (wrappedKeys.Count == 0)
        {
            using var fresh = SecretBytes.Random(RootKeyWrap.KeySize);
            await store.TryInsertSettingAsync(DomainKeySetting, seal.WrapDomainKey(fresh), cancellationToken);
            // Another node may have won the race: always use what the store holds.
            wrappedKeys = await WrappedKeysAsync(store, cancellationToken);
        }

        var keys = new Dictionary<uint, SecretBytes>();
        try
        {
            foreach (var (version, wrapped) in wrappedKeys)
            {
                keys[version] = seal.UnwrapDomainKey(wrapped);
            }
        }
        catch
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            throw;
        }

        return new RecordBarrier(keys, wrappedKeys[0].Version);
    }
}
