using System.Buffers;
using Coffer.Crypto;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol;

/// <summary>A request body in a pooled buffer, zeroed when returned: it may hold plaintext.</summary>
internal sealed class PooledBody : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    public PooledBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>The body, writable: only for repairs made after the signature over it was checked.</summary>
    public Span<byte> Span => _buffer.AsSpan(0, _length);

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            SecretBytes.Zero(buffer.AsSpan(0, _length));
            ArrayPool<byte>.Shared.Return(buffer);
            _buffer = null;
        }
    }
}

/// <summary>Reads a request body up to a limit, refusing a larger one before reading it when its length is declared.</summary>
internal static class BodyReader
{
    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    public static async Task<PooledBody?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)(request.ContentLength ?? 4096) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > limit)
                    {
                        SecretBytes.Zero(buffer.AsSpan(0, length));
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    SecretBytes.Zero(buffer.AsSpan(0, length));
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch
        {
            SecretBytes.Zero(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (length > limit)
        {
            SecretBytes.Zero(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }

        return new PooledBody(buffer, length);
    }
}
