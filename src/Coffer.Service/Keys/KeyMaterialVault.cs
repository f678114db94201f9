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
public sealed class KeyMaterialVault(ICofferStore store, RecordBarrier barrier, TimeProvider clock) : IDisposable
{
    public const int MaterialSize = 32;
    private readonly ConcurrentDictionary<(string KeyId, int Version), SecretBytes> _cache = new();

    /// <summary>New random material for version <paramref name="version"/> of <paramref name="key"/>, sealed for storage.</summary>
    public StoredMaterial CreateMaterial(KmsKey key, int version)
    {
        using var material = SecretBytes.Random(MaterialSize);
        return new StoredMaterial(key.KeyId, version, barrier.Seal(RecordId(key, version), material.Span), clock.GetUtcNow());
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

        var stored = await store.FindMaterialAsync(key.KeyId, version, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var material = barrier.Open(RecordId(key, version), stored.Sealed);
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
        foreach (var material in _cache.Values)
        {
            material.Dispose();
        }

        _cache.Clear();
    }

    private static string RecordId(KmsKey key, int version) => $"key-material:{key.Arn}:v{version}";
}
