using System.Collections.Concurrent;
using Coffer.Crypto;

namespace Coffer.Service;

/// <summary>
/// Zeroes secrets a cache let go of, after <see cref="Grace"/>: a request may have taken one from
/// the cache a moment before and still be using it, and zeroing it under that request would make
/// it sign or encrypt with zeros. No request holds a secret for anywhere near this long. The
/// secrets waiting are tracked, so sealing zeroes them at once. Thread-safe.
/// </summary>
public sealed class GraceZeroing(TimeProvider clock)
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<SecretBytes, byte> _waiting = new(ReferenceEqualityComparer.Instance);

    /// <summary>How many secrets wait to be zeroed.</summary>
    public int Waiting => _waiting.Count;

    public void Schedule(SecretBytes secret)
    {
        _waiting[secret] = 0;
        _ = Task.Delay(Grace, clock).ContinueWith(_ => ZeroIfWaiting(secret), TaskScheduler.Default);
    }

    /// <summary>Zeroes every secret still waiting (the server is being sealed).</summary>
    public void ZeroNow()
    {
        foreach (var secret in _waiting.Keys)
        {
            ZeroIfWaiting(secret);
        }
    }

    private void ZeroIfWaiting(SecretBytes secret)
    {
        if (_waiting.TryRemove(secret, out _))
        {
            secret.Dispose();
        }
    }
}
