namespace Coffer.Crypto;

/// <summary>The server is sealed: it holds no domain key and can decrypt nothing.</summary>
public sealed class SealedException() : Exception("Coffer is sealed.");

/// <summary>
/// Holds the record barrier while the server is unsealed and nothing while it is sealed. Every
/// user of secrets goes through <see cref="Barrier"/>, which throws <see cref="SealedException"/>
/// when sealed. <see cref="Sealed"/> fires when the seal closes so caches of unsealed secrets are
/// zeroed at once. Thread-safe.
/// </summary>
public sealed class Keyring : IDisposable
{
    private RecordBarrier? _barrier;

    public bool IsSealed => Volatile.Read(ref _barrier) is null;

    public RecordBarrier Barrier => Volatile.Read(ref _barrier) ?? throw new SealedException();

    /// <summary>Raised after the seal closed; handlers drop everything they unsealed.</summary>
    public event Action? Sealed;

    public void Unseal(RecordBarrier barrier)
    {
        var previous = Interlocked.Exchange(ref _barrier, barrier);
        previous?.Dispose();
    }

    /// <summary>
    /// Installs a new barrier while unsealed (a domain-key rotation step). The old one is zeroed a
    /// little later, so requests that already hold it can finish.
    /// </summary>
    public void Replace(RecordBarrier barrier)
    {
        var previous = Interlocked.Exchange(ref _barrier, barrier);
        if (previous is not null)
        {
            _ = Task.Delay(TimeSpan.FromSeconds(10)).ContinueWith(_ => previous.Dispose(), TaskScheduler.Default);
        }
    }

    public void Seal()
    {
        var previous = Interlocked.Exchange(ref _barrier, null);
        Sealed?.Invoke();
        previous?.Dispose();
    }

    public void Dispose() => Seal();
}
