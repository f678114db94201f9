using System.Collections.Concurrent;

namespace Coffer.Service;

/// <summary>
/// A cache whose entries each serve for at most <c>lifetime</c> and which never holds more than
/// <c>capacity</c> of them, so no stream of distinct keys (access key ids an attacker makes up,
/// say) can grow it. When full, it drops stale entries first, then arbitrary ones; every entry
/// dropped goes to <c>evicted</c> (which zeroes what it held). Thread-safe.
/// </summary>
public sealed class ExpiringCache<TKey, TValue>(int capacity, TimeSpan lifetime, TimeProvider clock, Action<TValue>? evicted = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, long LoadedAt)> _entries = new();
    private readonly Lock _trimming = new();

    public int Capacity => capacity;

    public int Count => _entries.Count;

    /// <summary>The entry for <paramref name="key"/> if there is one, and whether it is still fresh.</summary>
    public bool TryGet(TKey key, out TValue value, out bool fresh)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            value = entry.Value;
            fresh = clock.GetElapsedTime(entry.LoadedAt) < lifetime;
            return true;
        }

        value = default!;
        fresh = false;
        return false;
    }

    /// <summary>A fresh entry only.</summary>
    public bool TryGetFresh(TKey key, out TValue value) => TryGet(key, out value, out var fresh) && fresh;

    /// <summary>Stores an entry; replacing one does not evict it (the caller decides what the old value still means).</summary>
    public void Set(TKey key, TValue value)
    {
        if (_entries.Count >= capacity && !_entries.ContainsKey(key))
        {
            Trim();
        }

        _entries[key] = (value, clock.GetTimestamp());
    }

    public void Remove(TKey key)
    {
        if (_entries.TryRemove(key, out var entry))
        {
            evicted?.Invoke(entry.Value);
        }
    }

    /// <summary>Adds an entry unless one is there already; returns the one the cache holds.</summary>
    public TValue GetOrAdd(TKey key, TValue value, out bool added)
    {
        if (_entries.Count >= capacity && !_entries.ContainsKey(key))
        {
            Trim();
        }

        var entry = _entries.GetOrAdd(key, (value, clock.GetTimestamp()));
        added = EqualityComparer<TValue>.Default.Equals(entry.Value, value);
        return entry.Value;
    }

    /// <summary>Takes an entry out without <c>evicted</c>: the caller now owns its value.</summary>
    public bool TryTake(TKey key, out TValue value)
    {
        var taken = _entries.TryRemove(key, out var entry);
        value = entry.Value;
        return taken;
    }

    /// <summary>The keys cached now (a snapshot).</summary>
    public IEnumerable<TKey> Keys => _entries.Keys;

    public void Clear()
    {
        foreach (var key in _entries.Keys)
        {
            Remove(key);
        }
    }

    /// <summary>Removes exactly the entry seen, not one another thread put there since.</summary>
    private bool Evict(KeyValuePair<TKey, (TValue Value, long LoadedAt)> pair)
    {
        if (!_entries.TryRemove(pair))
        {
            return false;
        }

        evicted?.Invoke(pair.Value.Value);
        return true;
    }

    /// <summary>Makes room for a tenth of the capacity: stale entries first, then any.</summary>
    private void Trim()
    {
        lock (_trimming)
        {
            var target = capacity - Math.Max(1, capacity / 10);
            if (_entries.Count <= target)
            {
                return;
            }

            foreach (var pair in _entries)
            {
                if (clock.GetElapsedTime(pair.Value.LoadedAt) >= lifetime)
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
