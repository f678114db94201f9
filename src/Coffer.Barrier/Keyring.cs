namespace Coffer.Barrier;

/// <summary>The server is sealed: it holds no domain key and can decrypt nothing.</summary>
public sealed class SealedException() : Exception("Coffer is sealed.");

/// <summary>
/// Holds the record barrier while the server is unsealed and nothing while it is sealed. Every
/// user of secrets goes through <see cref="Barrier"/>, which throws <see cref="SealedException"/>
/// when sealed. <see cref="Cleared"/> fires when the barrier is dropped (the server is sealed
/// again), so caches of decrypted secrets are zeroed at once. Thread-safe.
/// </summary>
public sealed class Keyring(TimeProvider clock) : IDisposable
{
    /// <summary>
    /// How long a barrier replaced during a domain-key rotation stays usable before it is zeroed:
    /// requests that took it a moment before finish with it, and none takes near this long.
    /// </summary>
    public static readonly TimeSpan RetiredBarrierGrace = TimeSpan.FromSeconds(10);

    private RecordBarrier? _barrier;

    public bool IsSealed => Volatile.Read(ref _barrier) is null;

    public RecordBarrier Barrier => Volatile.Read(ref _barrier) ?? throw new SealedException();

    /// <summary>Raised after the barrier was dropped; handlers drop everything they decrypted.</summary>
    public event Action? Cleared;

    /// <summary>Installs the barrier the seal's root key opened: the server is unsealed.</summary>
    public void Install(RecordBarrier barrier)
    {
        var previous = Interlocked.Exchange(ref _barrier, barrier);
        previous?.Dispose();
    }

    /// <summary>
    /// Installs a new barrier while unsealed (a domain-key rotation step). The old one is zeroed
    /// <see cref="RetiredBarrierGrace"/> later, so requests that already hold it can finish.
    /// </summary>
    public void Replace(RecordBarrier barrier)
    {
        var previous = Interlocked.Exchange(ref _barrier, barrier);
        if (previous is not null)
        {
            _ = Task.Delay(RetiredBarrierGrace, clock).ContinueWith(_ => previous.Dispose(), TaskScheduler.Default);
        }
    }

    /// <summary>Drops the barrier and zeroes it: the server is sealed.</summary>
    public void Clear()
    {
        var previous = Interlocked.Exchange(ref _barrier, null);
        Cleared?.Invoke();
        previous?.Dispose();
    }

    public void Dispose() => Clear();
}
