using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Each key's last successful cryptographic use, for GetKeyLastUsage, kept cheaply: a request
/// only updates an in-memory map (per key, the latest use wins), and <see cref="FlushAsync"/>
/// writes what it holds to the store in one transaction, on a timer and at shutdown. So no
/// cryptographic request ever writes to the database, and a crash loses at most the uses since
/// the last flush. Reads look in memory first, then in the store.
/// </summary>
/// <remarks>
/// Bounded: at most <c>capacity</c> keys wait in memory. At the cap a use of a key already
/// waiting still replaces its entry, a use of any other key is not recorded (counted in
/// <see cref="Dropped"/>; the store keeps that key's previous use), and an early flush is asked
/// for, which empties the map. Evicting a waiting use instead would lose that one just the same;
/// refusing the newcomer needs no ordering and leaves what readers already see unchanged.
/// Thread-safe.
/// </remarks>
public sealed class KeyUsageTracker
{
    /// <summary>At 10,000 keys of about 400 bytes each (three ids and a record), at most some 4 MB wait for a flush.</summary>
    public const int DefaultCapacity = 10_000;

    /// <summary>The setting that records when this deployment began tracking (Unix milliseconds, big-endian), written once.</summary>
    public const string TrackingStartSetting = "key-usage-tracking-start";

    /// <summary>The operations that count as a use: the model's KeyLastUsageTrackingOperation.</summary>
    public static readonly FrozenSet<string> TrackedOperations = new[]
    {
        "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt", "Sign", "Verify", "VerifyMac",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, KeyLastUse> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushAsked = new(0);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly ICofferStore _store;
    private readonly int _capacity;
    private int _count;
    private int _asked;
    private long _dropped;

    public KeyUsageTracker(ICofferStore store, int capacity, DateTimeOffset trackingStart)
    {
        _store = store;
        _capacity = capacity;
        TrackingStart = trackingStart;
    }

    /// <summary>When this deployment began recording uses; a key's TrackingStartDate is the later of this and its creation.</summary>
    public DateTimeOffset TrackingStart { get; }

    public int Capacity => _capacity;

    /// <summary>Keys whose last use waits in memory for the next flush.</summary>
    public int Pending => Volatile.Read(ref _count);

    /// <summary>Uses not recorded because <see cref="Capacity"/> keys were already waiting.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Opens the tracker of a store, recording the tracking start (now, on <paramref name="clock"/>) on the store's first start with it.</summary>
    public static async Task<KeyUsageTracker> OpenAsync(ICofferStore store, TimeProvider clock, int capacity, CancellationToken cancellationToken)
    {
        var now = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(now, clock.GetUtcNow().ToUnixTimeMilliseconds());
        await store.TryInsertSettingAsync(TrackingStartSetting, now, cancellationToken);
        var recorded = await store.GetSettingAsync(TrackingStartSetting, cancellationToken) ?? now;
        return new KeyUsageTracker(store, capacity, DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(recorded)));
    }

    /// <summary>
    /// Records a successful request on the keys it used (<paramref name="keyArns"/>: ReEncrypt's
    /// source and destination), if <paramref name="operation"/> is one that counts. Memory only.
    /// </summary>
    public void Record(string operation, IReadOnlyList<string> keyArns, string eventId, string requestId, DateTimeOffset time)
    {
        if (!TrackedOperations.Contains(operation))
        {
            return;
        }

        // Milliseconds, as the store keeps them: a use reads the same before and after a flush.
        var at = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        foreach (var arn in keyArns)
        {
            var keyId = arn[(arn.LastIndexOf('/') + 1)..];
            Keep(new KeyLastUse(keyId, operation, at, eventId, requestId));
        }
    }

    /// <summary>A key's last use: the one waiting in memory, else the stored one, else null.</summary>
    public async ValueTask<KeyLastUse?> FindAsync(string keyId, CancellationToken cancellationToken) =>
        _pending.TryGetValue(keyId, out var use) ? use : await _store.FindKeyLastUseAsync(keyId, cancellationToken);

    /// <summary>
    /// Writes every waiting use in one transaction, then forgets those no later use replaced
    /// meanwhile (they wait for the next flush). If the write fails, everything stays waiting and
    /// the error is thrown. Flushes run one at a time. Returns how many uses were written.
    /// </summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var batch = _pending.ToArray();
            if (batch.Length == 0)
            {
                return 0;
            }

            await _store.SaveKeyLastUsesAsync(Array.ConvertAll(batch, entry => entry.Value), cancellationToken);
            foreach (var entry in batch)
            {
                // Removes only the value written: a use recorded during the write stays for the next flush.
                if (_pending.TryRemove(entry))
                {
                    Interlocked.Decrement(ref _count);
                }
            }

            return batch.Length;
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Waits for <paramref name="interval"/>, or less if the map reached its capacity and asked for a flush.</summary>
    public async Task WaitForFlushAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        await _flushAsked.WaitAsync(interval, cancellationToken);
        Volatile.Write(ref _asked, 0);
    }

    private void Keep(KeyLastUse use)
    {
        while (true)
        {
            if (_pending.TryGetValue(use.KeyId, out var current))
            {
                // Concurrent requests finish out of order: the later use wins, whichever is recorded last.
                if (current.Timestamp > use.Timestamp || _pending.TryUpdate(use.KeyId, use, current))
                {
                    return;
                }

                continue;
            }

            // A slot is reserved before the add, so racing requests cannot take the map past its capacity.
            if (Interlocked.Increment(ref _count) > _capacity)
            {
                Interlocked.Decrement(ref _count);
                Interlocked.Increment(ref _dropped);
                AskForFlush();
                return;
            }

            if (_pending.TryAdd(use.KeyId, use))
            {
                if (Volatile.Read(ref _count) == _capacity)
                {
                    AskForFlush();
                }

                return;
            }

            // Another request added this key first: give the slot back and compare with its use.
            Interlocked.Decrement(ref _count);
        }
    }

    private void AskForFlush()
    {
        if (Interlocked.Exchange(ref _asked, 1) == 0)
        {
            _flushAsked.Release();
        }
    }
}
