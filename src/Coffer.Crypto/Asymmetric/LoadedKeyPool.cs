using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// .NET key objects loaded from one private key, lent out one caller at a time. Importing PKCS#8
/// costs far more than an ECDSA signature (about 0.3 ms for P-256, 2.6 ms for RSA 2048), so a
/// key's objects are kept beside its material (<see cref="SecretBytes.Companion{T}"/>) and die
/// with it. .NET does not promise that one object signs safely on several threads at once, so each
/// is lent to one caller; at most <see cref="MaxIdle"/> wait between uses, and more are loaded
/// only while more callers sign at the same moment.
/// </summary>
internal sealed class LoadedKeyPool<T> : IDisposable
    where T : AsymmetricAlgorithm
{
    private readonly ConcurrentBag<T> _idle = [];
    private readonly SecretBytes _privateKey;
    private readonly Func<SecretBytes, T> _load;
    private int _idleCount;
    private volatile bool _disposed;

    public LoadedKeyPool(SecretBytes privateKey, Func<SecretBytes, T> load)
    {
        _privateKey = privateKey;
        _load = load;
    }

    public static int MaxIdle { get; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>A loaded key that no other caller uses until the lease is disposed.</summary>
    public Lease Rent() => new(this, _idle.TryTake(out var idle) ? Taken(idle) : _load(_privateKey));

    public readonly struct Lease(LoadedKeyPool<T> pool, T key) : IDisposable
    {
        public T Key => key;

        public void Dispose() => pool.Return(key);
    }

    private T Taken(T key)
    {
        Interlocked.Decrement(ref _idleCount);
        return key;
    }

    private void Return(T key)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            if (!_disposed)
            {
                Interlocked.Decrement(ref _idleCount);
            }

            key.Dispose();
            return;
        }

        _idle.Add(key);
        if (_disposed && _idle.TryTake(out var late))
        {
            // Disposed while this one was being put back: Dispose may have emptied the bag before.
            late.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var key))
        {
            key.Dispose();
        }
    }
}
