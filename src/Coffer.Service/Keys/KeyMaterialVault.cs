using Coffer.Barrier;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Creates key material and hands out decrypted copies. Material is encrypted by the record barrier
/// with the key ARN and version in the record id, so a row copied onto another key fails to decrypt.
/// Decrypted material is cached per key version, at most a given number of versions; the
/// cache owns the secrets and zeroes them on eviction and when the server is sealed. Thread-safe.
/// </summary>
public sealed class KeyMaterialVault : IDisposable
{
    public const int MaterialSize = 32;
    public const int DefaultCacheCapacity = 10_000;

    /// <summary>
    /// How long material evicted to make room stays intact before it is zeroed. A request may have
    /// fetched it a moment before and still be encrypting with it: zeroing it then would encrypt
    /// under a zero key.
    /// </summary>
    public static TimeSpan EvictionGrace => GraceZeroing.Grace;

    private readonly ExpiringCache<(string KeyId, int Version), SecretBytes> _cache;
    private readonly ICofferStore _store;
    private readonly Keyring _keyring;
    private readonly TimeProvider _clock;

    public KeyMaterialVault(ICofferStore store, Keyring keyring, TimeProvider clock, KeyPairGenerator generator, int cacheCapacity = DefaultCacheCapacity)
    {
        Generator = generator;
        _store = store;
        _keyring = keyring;
        _clock = clock;
        // Material never changes, so entries do not expire; only room is made. Sealing must leave
        // no decrypted key material in memory: the cache zeroes it all then.
        _cache = new(cacheCapacity, TimeSpan.MaxValue, clock, keyring, material => material);
    }

    /// <summary>Where key pairs are made, one at a time.</summary>
    public KeyPairGenerator Generator { get; }

    /// <summary>The keyring whose barrier decrypts the material; its clearing empties this vault.</summary>
    public Keyring Keyring => _keyring;

    /// <summary>
    /// New material for version <paramref name="version"/> of <paramref name="key"/>, encrypted for storage:
    /// 256 random bits for a symmetric key, a random HMAC key, or a private key (PKCS#8) for a key pair.
    /// </summary>
    public async ValueTask<StoredMaterial> CreateMaterialAsync(KmsKey key, int version, CancellationToken cancellationToken, string? rotationType = null)
    {
        using var material = key.KeySpec == KeySpecs.SymmetricDefault ? SecretBytes.Random(MaterialSize) : await Generator.GenerateAsync(key.KeySpec, cancellationToken);
        return new StoredMaterial(key.KeyId, version, _keyring.Barrier.Encrypt(RecordIds.KeyMaterial(key.Arn, version), material.Span), _clock.GetUtcNow(),
            rotationType);
    }

    /// <summary>
    /// The decrypted material of one version, owned by the vault: callers must not dispose it.
    /// Returns null when the version does not exist.
    /// </summary>
    public async ValueTask<SecretBytes?> GetAsync(KmsKey key, int version, CancellationToken cancellationToken)
    {
        if (_cache.TryGetFresh((key.KeyId, version), out var cached))
        {
            return cached;
        }

        var stored = await _store.FindMaterialAsync(key.KeyId, version, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var material = _keyring.Barrier.Decrypt(RecordIds.KeyMaterial(key.Arn, version), stored.Sealed);
        var held = _cache.GetOrAdd((key.KeyId, version), material, out var added);
        if (!added)
        {
            material.Dispose();
        }

        return held;
    }

    /// <summary>How many material versions are decrypted in memory now; never more than the capacity it was made with.</summary>
    public int CachedCount => _cache.Count;


    /// <summary>Drops every cached version of a destroyed key.</summary>
    public void Forget(string keyId)
    {
        foreach (var entry in _cache.Keys.Where(k => k.KeyId == keyId).ToList())
        {
            if (_cache.TryTake(entry, out var material))
            {
                // Another request may still hold this reference mid-operation; the key is gone
                // either way, so it fails closed with ObjectDisposedException at worst.
                material.Dispose();
            }
        }
    }

    public void Dispose() => _cache.Dispose();
}
