using System.Text.Json;

namespace Coffer.Crypto;

/// <summary>
/// A JSON writer and its working buffer, kept one per thread and handed out for one document at a
/// time: every response and audit event is written through one, where a fresh writer and a buffer
/// grown by doubling cost several times the document in garbage per request. What was written is
/// zeroed when the scratch is handed back, and an outgrown buffer when it grows, since a response may
/// hold a plaintext or a data key.
/// </summary>
public sealed class ScratchJson : IDisposable
{
    /// <summary>A buffer grown past this (a long list, an unusual request) is not kept on the thread.</summary>
    private const int KeptBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static ScratchJson? t_kept;

    private readonly ZeroingBufferWriter _buffer = new(4096);

    private ScratchJson() => Writer = new Utf8JsonWriter(_buffer);

    public Utf8JsonWriter Writer { get; }

    /// <summary>The thread's scratch, or a new one when it is in use (a document written while writing another).</summary>
    public static ScratchJson Rent()
    {
        var scratch = t_kept ?? new ScratchJson();
        t_kept = null;
        return scratch;
    }

    /// <summary>Everything written so far, flushed.</summary>
    public ReadOnlySpan<byte> Written
    {
        get
        {
            Writer.Flush();
            return _buffer.WrittenSpan;
        }
    }

    public void Dispose()
    {
        // Bytes the writer still holds (a document abandoned half-way) are in the buffer's free part until flushed.
        Writer.Flush();
        _buffer.Clear();
        Writer.Reset(_buffer);
        if (_buffer.Capacity <= KeptBufferBytes)
        {
            t_kept = this;
        }
    }
}
