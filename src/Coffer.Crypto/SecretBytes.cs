using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>
/// Key material or another secret in memory. The array is pinned so the GC never leaves copies
/// behind, and zeroed on <see cref="Dispose"/>. It has no useful <see cref="ToString"/>, so it
/// cannot leak into a log by accident. Not thread-safe for Dispose racing with readers: the
/// owner disposes it once nobody reads it any more.
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private readonly byte[] _bytes;
    private volatile bool _disposed;
    private IDisposable? _companion;

    private SecretBytes(int length) => _bytes = GC.AllocateUninitializedArray<byte>(length, pinned: true);

    public int Length => _bytes.Length;

    /// <summary>Whether it was zeroed; a cache must not hand out a secret it evicted.</summary>
    public bool IsDisposed => _disposed;

    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    /// <summary>Write access for this assembly's primitives, which fill secrets in place.</summary>
    internal Span<byte> Writable
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    /// <summary>An uninitialised secret for this assembly's primitives to fill.</summary>
    internal static SecretBytes Allocate(int length) => new(length);

    /// <summary>A fresh secret of <paramref name="length"/> random bytes.</summary>
    public static SecretBytes Random(int length)
    {
        var secret = new SecretBytes(length);
        RandomNumberGenerator.Fill(secret._bytes);
        return secret;
    }

    /// <summary>Copies <paramref name="source"/>; the caller still owns (and zeroes) the source.</summary>
    public static SecretBytes CopyOf(ReadOnlySpan<byte> source)
    {
        var secret = new SecretBytes(source.Length);
        source.CopyTo(secret._bytes);
        return secret;
    }

    /// <summary>Zeroes a buffer that held a secret (a request's plaintext, a response's data key).</summary>
    public static void Zero(Span<byte> buffer) => CryptographicOperations.ZeroMemory(buffer);

    /// <summary>Copies the secret out for a caller that must hand it over (a data key in a response).</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>
    /// What this assembly keeps beside the secret and made from it (loaded key objects, so a Sign
    /// does not parse PKCS#8 again): made once, on first use, and disposed with the secret, so
    /// nothing derived from it outlives its zeroing.
    /// </summary>
    internal T Companion<T>(Func<SecretBytes, T> create)
        where T : class, IDisposable
    {
        if (Volatile.Read(ref _companion) is { } current)
        {
            return current as T ?? throw new InvalidOperationException($"This secret already has a {current.GetType().Name}.");
        }

        var made = create(this);
        var winner = Interlocked.CompareExchange(ref _companion, made, null);
        if (winner is not null)
        {
            made.Dispose();
            return winner as T ?? throw new InvalidOperationException($"This secret already has a {winner.GetType().Name}.");
        }

        if (_disposed)
        {
            // Disposed while it was being made: Dispose may have missed it.
            Interlocked.Exchange(ref _companion, null)?.Dispose();
            ObjectDisposedException.ThrowIf(true, this);
        }

        return made;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            // Marked first, zeroed after: a reader that checks IsDisposed once it is done sees
            // the mark whenever it may have read zeros.
            _disposed = true;
            CryptographicOperations.ZeroMemory(_bytes);
            Interlocked.Exchange(ref _companion, null)?.Dispose();
        }
    }

    public override string ToString() => $"SecretBytes[{_bytes.Length}]";
}

/// <summary>The one place secrets are compared: always in constant time.</summary>
public static class SecretComparer
{
    public static bool FixedTimeEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        CryptographicOperations.FixedTimeEquals(left, right);
}
