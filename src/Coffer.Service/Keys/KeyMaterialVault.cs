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
        while (true)
        {
            if (_cache.TryGetFresh((key.KeyId, version), out var cached))
            {
                return cached;
            }

            // A Forget between reading the row and caching it may mean the row is gone now: such a
            // read is not cached, and the store is asked again.
            var generation = Volatile.Read(ref _generations[StripeOf(key.KeyId)]);
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

            if (Volatile.Read(ref _generations[StripeOf(key.KeyId)]) == generation)
            {
                return held;
            }

            _cache.Remove((key.KeyId, version));
        }
    }

    /// <summary>
    /// The material new ciphertexts and signatures use. A key whose imported material was deleted
    /// after the request found it answers as a key pending import, not with a server fault.
    /// </summary>
    public async ValueTask<SecretBytes> GetCurrentAsync(KmsKey key, CancellationToken cancellationToken)
    {
        if (await GetAsync(key, key.CurrentMaterialVersion, cancellationToken) is { } material)
        {
            return material;
        }

        if (key.Origin == KeyOrigins.External)
        {
            KmsErrors.KeyPendingImport(key.Arn);
        }

        throw new InvalidOperationException($"Key {key.KeyId} has no material version {key.CurrentMaterialVersion}.");
    }

    /// <summary>How many material versions are decrypted in memory now; never more than the capacity it was made with.</summary>
    public int CachedCount => _cache.Count;


    /// <summary>
    /// Drops every cached version of a key whose material was destroyed (call it after the store's
    /// delete). A request that read the row just before is not allowed to cache it afterwards; one
    /// already holding the material finishes with it, and it is zeroed after the grace, so no
    /// ciphertext is ever made under half-zeroed material.
    /// </summary>
    public void Forget(string keyId)
    {
        Interlocked.Increment(ref _generations[StripeOf(keyId)]);
        foreach (var entry in _cache.Keys.Where(k => k.KeyId == keyId).ToList())
        {
            _cache.Remove(entry);
        }
    }

    /// <summary>Forget counters, striped so they stay a fixed size however many keys there are; a shared stripe only costs a re-read.</summary>
    private readonly long[] _generations = new long[GenerationStripes];
    private const int GenerationStripes = 1024;

    private static int StripeOf(string keyId) => (StringComparer.Ordinal.GetHashCode(keyId) & int.MaxValue) % GenerationStripes;

    public void Dispose() => _cache.Dispose();
}
