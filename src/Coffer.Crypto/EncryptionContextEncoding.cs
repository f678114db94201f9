using System.Buffers.Binary;
using System.Text;

namespace Coffer.Crypto;

/// <summary>
/// The canonical byte form of an encryption context, bound into every symmetric ciphertext as
/// AAD. Pairs are sorted by key (ordinal), and each string is length-prefixed so that
/// <c>{"a":"bc"}</c> and <c>{"ab":"c"}</c> can never encode alike. An absent and an empty
/// context encode alike, as on AWS.
/// </summary>
public static class EncryptionContextEncoding
{
    /// <summary>The most bytes one key or value can have: its length is written in two bytes.</summary>
    public const int MaxStringBytes = ushort.MaxValue;

    /// <summary>The most pairs a context can have: their count is written in two bytes.</summary>
    public const int MaxPairs = ushort.MaxValue;

    public static byte[] Encode(IReadOnlyDictionary<string, string>? context)
    {
        if (context is null || context.Count == 0)
        {
            return [];
        }

        var keys = context.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        var size = 2;
        foreach (var key in keys)
        {
            size += 4 + Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(context[key]);
        }

        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, checked((ushort)keys.Length));
        var offset = 2;
        foreach (var key in keys)
        {
            offset += WriteString(span[offset..], key);
            offset += WriteString(span[offset..], context[key]);
        }

        return bytes;
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        var written = Encoding.UTF8.GetBytes(value, destination[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination, checked((ushort)written));
        return 2 + written;
    }
}
