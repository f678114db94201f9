using System.Collections.Concurrent;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Creates key material and hands out unsealed copies. Material is sealed by the record barrier
/// with the key ARN and version as the record id, so a row copied onto another key fails to open.
/// Unsealed material is cached per key version until the key is destroyed; the cache owns the
/// secrets and zeroes them on eviction. Thread-safe.
/// </summary>
public sealed class KeyMaterialVault : IDisposable
{
    public const int MaterialSize = 32;
    private readonly ConcurrentDictionary<(string KeyId, int Version), SecretBytes> _cache = new();
    private readonly ICofferStore _store;
    private readonly Keyring _keyring;
    private readonly TimeProvider _clock;

    public KeyMaterialVault(ICofferStore store, Keyring keyring, TimeProvider clock)
    {
        _store = store;
        _keyring = keyring;
        _clock = clock;
        // Sealing must leave no unsealed key material in memory.
        keyring.Sealed += Dispose;
    }

    /// <summary>New random material for version <paramref name="version"/> of <paramref name="key"/>, sealed for storage.</summary>
    public StoredMaterial CreateMaterial(KmsKey key, int version)
    {
        using var material = SecretBytes.Random(MaterialSize);
        return new StoredMaterial(key.KeyId, version, _keyring.Barrier.Seal(RecordId(key, version), material.Span), _clock.GetUtcNow());
    }

    /// <summary>
    /// The unsealed material of one version, owned by the vault: callers must not dispose it.
    /// Returns null when the version does not exist.
    /// </summary>
    public async ValueTask<SecretBytes?> GetAsync(KmsKey key, int version, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue((key.KeyId, version), out var cached))
        {
            return cached;
        }

        var stored = await _store.FindMaterialAsync(key.KeyId, version, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var material = _keyring.Barrier.Open(RecordId(key, version), stored.Sealed);
        if (!_cache.TryAdd((key.KeyId, version), material))
        {
            material.Dispose();
            return _cache[(key.KeyId, version)];
        }

        return material;
    }

    /// <summary>Drops every cached version of a destroyed key.</summary>
    public void Forget(string keyId)
    {
        foreach (var entry in _cache.Keys.Where(k => k.KeyId == keyId).ToList())
        {
            if (_cache.TryRemove(entry, out var material))
            {
                // Another request may still hold this reference mid-operation; the key is gone
                // either way, so it fails closed with ObjectDisposedException at worst.
                material.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var entry in _cache.Keys.ToList())
        {
            if (_cache.TryRemove(entry, out var material))
            {
                material.Dispose();
            }
        }
    }

    /// <summary>The barrier record id of one material version: the key ARN and version are bound into its seal.</summary>
    public static string RecordId(KmsKey key, int version) => $"key-material:{key.Arn}:v{version}";
}
