using System.Buffers;

namespace Coffer.Protocol.SigV4;

/// <summary>
/// A growable char buffer rented from the shared pool, so a canonical request can be written and
/// hashed without becoming a string. Not thread-safe; <see cref="Dispose"/> returns the buffer.
/// </summary>
internal ref struct PooledChars
{
    private char[] _array;
    private int _length;

    public PooledChars(int capacity)
    {
        _array = ArrayPool<char>.Shared.Rent(capacity);
        _length = 0;
    }

    public readonly ReadOnlySpan<char> Written => _array.AsSpan(0, _length);

    public void Append(char c)
    {
        if (_length == _array.Length)
        {
            Grow(1);
        }

        _array[_length++] = c;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _array.Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(_array.AsSpan(_length));
        _length += text.Length;
    }

    public void Dispose()
    {
        // Canonical requests hold no secrets (only names, values and hashes a caller sent), so the
        // buffer goes back to the pool without clearing.
        ArrayPool<char>.Shared.Return(_array);
        _array = [];
        _length = 0;
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_array.Length * 2, _length + needed));
        _array.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_array);
        _array = bigger;
    }
}
