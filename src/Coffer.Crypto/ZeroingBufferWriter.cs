using System.Buffers;

namespace Coffer.Crypto;

/// <summary>
/// A growable byte buffer, like <see cref="ArrayBufferWriter{T}"/>, that zeroes its old array when
/// it outgrows it. <see cref="ArrayBufferWriter{T}"/> leaves the old array to the garbage collector
/// as it is, so a response holding a plaintext or a data key that outgrew the first buffer would
/// leave a copy of the secret in freed memory.
/// </summary>
internal sealed class ZeroingBufferWriter(int initialCapacity) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[initialCapacity];
    private int _written;

    public int Capacity => _buffer.Length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Zeroes what was written (advanced over) and starts the buffer again empty.</summary>
    public void Clear()
    {
        SecretBytes.Zero(_buffer.AsSpan(0, _written));
        _written = 0;
    }

    private void Reserve(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var grown = new byte[Math.Max(_buffer.Length * 2, _written + needed)];
        _buffer.AsSpan(0, _written).CopyTo(grown);
        // The whole old array: a writer may have put bytes past what it advanced over.
        SecretBytes.Zero(_buffer);
        _buffer = grown;
    }
}
