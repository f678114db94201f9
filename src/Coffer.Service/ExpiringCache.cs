using System.Collections.Concurrent;
using Coffer.Barrier;
using Coffer.Crypto;

namespace Coffer.Service;

/// <summary>
/// Coffer's one cache (policies, access keys, key material). Entries each serve for at most
/// <c>lifetime</c>, and it never holds more than <c>capacity</c> of them, so no stream of distinct
/// keys (access key ids an attacker makes up, say) can grow it: when full, it drops stale entries
/// first, then arbitrary ones. When values hold a secret (<c>secretOf</c> names it), the secret of
/// an entry dropped is zeroed after <see cref="GraceZeroing.Grace"/>, since a request may still be
/// using it. When the keyring is cleared (the server is sealed) the cache is emptied and every
/// secret it held or let go of is zeroed at once. Thread-safe.
/// </summary>
public sealed class ExpiringCache<TKey, TValue> : IDisposable
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, long LoadedAt)> _entries = new();
    private readonly Lock _trimming = new();
    private readonly int _capacity;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;
    private readonly Keyring _keyring;
    private readonly Func<TValue, SecretBytes?>? _secretOf;
    private readonly GraceZeroing _zeroing;

    public ExpiringCache(int capacity, TimeSpan lifetime, TimeProvider clock, Keyring keyring, Func<TValue, SecretBytes?>? secretOf = null)
    {
        _capacity = capacity;
        _lifetime = lifetime;
        _clock = clock;
        _keyring = keyring;
        _secretOf = secretOf;
        _zeroing = new GraceZeroing(clock);
        keyring.Cleared += Clear;
    }

    public int Capacity => _capacity;

    public int Count => _entries.Count;

    /// <summary>How many secrets of dropped entries wait out their grace before being zeroed.</summary>
    public int SecretsAwaitingZeroing => _zeroing.Waiting;

    /// <summary>The entry for <paramref name="key"/> if there is one, and whether it is still fresh.</summary>
    public bool TryGet(TKey key, out TValue value, out bool fresh)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            value = entry.Value;
            fresh = _clock.GetElapsedTime(entry.LoadedAt) < _lifetime;
            return true;
        }

        value = default!;
        fresh = false;
        return false;
    }

    /// <summary>A fresh entry only.</summary>
    public bool TryGetFresh(TKey key, out TValue value) => TryGet(key, out value, out var fresh) && fresh;

    /// <summary>Stores an entry; replacing one does not drop it (the caller decides what the old value still means).</summary>
    public void Set(TKey key, TValue value)
    {
        MakeRoomFor(key);
        _entries[key] = (value, _clock.GetTimestamp());
    }

    /// <summary>Drops an entry; its secret is zeroed after the grace.</summary>
    public void Remove(TKey key)
    {
        if (_entries.TryRemove(key, out var entry))
        {
            Release(entry.Value, now: false);
        }
    }

    /// <summary>Adds an entry unless one is there already; returns the one the cache holds.</summary>
    public TValue GetOrAdd(TKey key, TValue value, out bool added)
    {
        MakeRoomFor(key);
        var entry = _entries.GetOrAdd(key, (value, _clock.GetTimestamp()));
        added = EqualityComparer<TValue>.Default.Equals(entry.Value, value);
        return entry.Value;
    }

    /// <summary>Takes an entry out without zeroing anything: the caller now owns its value.</summary>
    public bool TryTake(TKey key, out TValue value)
    {
        var taken = _entries.TryRemove(key, out var entry);
        value = entry.Value;
        return taken;
    }

    /// <summary>The keys cached now (a snapshot).</summary>
    public IEnumerable<TKey> Keys => _entries.Keys;

    /// <summary>Drops every entry and zeroes every secret at once, those waiting out their grace included (the server is being sealed).</summary>
    public void Clear()
    {
        foreach (var pair in _entries)
        {
            if (_entries.TryRemove(pair))
            {
                Release(pair.Value.Value, now: true);
            }
        }

        _zeroing.ZeroNow();
    }

    /// <summary>Clears the cache and stops following the keyring.</summary>
    public void Dispose()
    {
        _keyring.Cleared -= Clear;
        Clear();
    }

    private void Release(TValue value, bool now)
    {
        if (_secretOf?.Invoke(value) is not { } secret)
        {
            return;
        }

        if (now)
        {
            secret.Dispose();
        }
        else
        {
            _zeroing.Schedule(secret);
        }
    }

    private void MakeRoomFor(TKey key)
    {
        if (_entries.Count >= _capacity && !_entries.ContainsKey(key))
        {
            Trim();
        }
    }

    /// <summary>Removes exactly the entry seen, not one another thread put there since.</summary>
    private bool Evict(KeyValuePair<TKey, (TValue Value, long LoadedAt)> pair)
    {
        if (!_entries.TryRemove(pair))
        {
            return false;
        }

        Release(pair.Value.Value, now: false);
        return true;
    }

    /// <summary>Makes room for a tenth of the capacity: stale entries first, then any.</summary>
    private void Trim()
    {
        lock (_trimming)
        {
            var target = _capacity - Math.Max(1, _capacity / 10);
            if (_entries.Count <= target)
            {
                return;
            }

            foreach (var pair in _entries)
            {
                if (_clock.GetElapsedTime(pair.Value.LoadedAt) >= _lifetime)
                {
                    _ = Evict(pair);
                }
            }

            var excess = _entries.Count - target;
            foreach (var pair in _entries)
            {
                if (excess <= 0)
                {
                    break;
                }

                if (Evict(pair))
                {
                    excess--;
                }
            }
        }
    }
}
