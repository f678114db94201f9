using Coffer.Barrier;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Keys' records (state, spec, current material version…), so a request on a key does not read
/// the store each time. An entry serves for at most <see cref="Lifetime"/>, so a change made on
/// another node is honoured within a second; a change made on this node is honoured at once, as
/// every write to a key calls <see cref="Invalidate"/> before its response (the pipeline after any
/// operation that is not read-only, the key jobs after each key). A read that raced with an
/// invalidation is not cached. At most <see cref="Capacity"/> entries; emptied when the server is
/// sealed. Thread-safe.
/// </summary>
public sealed class KeyCache : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    public const int Capacity = 10_000;

    private readonly ICofferStore _store;
    private readonly ExpiringCache<string, KmsKey> _keys;
    private long _invalidations;

    public KeyCache(ICofferStore store, TimeProvider clock, Keyring keyring)
    {
        _store = store;
        _keys = new(Capacity, Lifetime, clock, keyring);
    }

    /// <summary>The key with id <paramref name="keyId"/> in <paramref name="region"/>, or null; absent keys are not cached.</summary>
    public async ValueTask<KmsKey?> FindAsync(string region, string keyId, CancellationToken cancellationToken)
    {
        if (_keys.TryGetFresh(keyId, out var cached) && cached.Region == region)
        {
            return cached;
        }

        var before = Volatile.Read(ref _invalidations);
        var key = await _store.FindKeyAsync(region, keyId, cancellationToken);
        if (key is not null && Volatile.Read(ref _invalidations) == before)
        {
            _keys.Set(keyId, key);

            // An invalidation between the check and the Set may have found nothing to remove.
            if (Volatile.Read(ref _invalidations) != before)
            {
                _keys.Remove(keyId);
            }
        }

        return key;
    }

    /// <summary>Forgets a key whose record this node has just changed.</summary>
    public void Invalidate(string keyId)
    {
        Interlocked.Increment(ref _invalidations);
        _keys.Remove(keyId);
    }

    public void Dispose() => _keys.Dispose();
}
