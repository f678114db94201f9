namespace Coffer.Protocol.Json;

/// <summary>
/// JSON lets a string escape half of a surrogate pair (<c>"\ud800"</c>). Such text parses, but no
/// .NET string made from it can be written as UTF-8 again: an audit event echoing it, or any
/// reader of it, would throw. AWS's own parser turns such text into a replacement character;
/// so does this, in place and at the same length (<c>\ud800</c> and <c>\ufffd</c> are both six
/// bytes), once per request after authentication, so every later reader sees valid text.
/// </summary>
internal static class SurrogateEscapes
{
    private static ReadOnlySpan<byte> Replacement => "fffd"u8;

    /// <summary>
    /// Makes an authenticated JSON body safe for every later reader: refuses one that is not
    /// UTF-8 (System.Text.Json parses such strings and throws only when they are read, which
    /// would surface as a 500), then repairs unpaired surrogate escapes.
    /// </summary>
    public static void PrepareBody(Span<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw new Core.KmsException(RequestValidator.SerializationError, null);
        }

        Replace(json);
    }

    /// <summary>Replaces every unpaired surrogate escape in <paramref name="json"/>; returns how many.</summary>
    public static int Replace(Span<byte> json)
    {
        var replaced = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (!inString)
            {
                inString = b == (byte)'"';
                continue;
            }

            if (b == (byte)'"')
            {
                inString = false;
            }
            else if (b == (byte)'\\' && i + 1 < json.Length)
            {
                if (json[i + 1] != (byte)'u')
                {
                    i++;
                    continue;
                }

                var unit = Escape(json, i);
                if (unit is >= 0xD800 and <= 0xDBFF && Escape(json, i + 6) is >= 0xDC00 and <= 0xDFFF)
                {
                    i += 11;
                }
                else if (unit is >= 0xD800 and <= 0xDFFF)
                {
                    Replacement.CopyTo(json.Slice(i + 2, 4));
                    replaced++;
                    i += 5;
                }
                else if (unit >= 0)
                {
                    i += 5;
                }
            }
        }

        return replaced;
    }

    /// <summary>The UTF-16 unit of the <c>\uXXXX</c> escape at <paramref name="at"/>, or -1 if there is none.</summary>
    private static int Escape(ReadOnlySpan<byte> json, int at)
    {
        if (at + 6 > json.Length || json[at] != (byte)'\\' || json[at + 1] != (byte)'u')
        {
            return -1;
        }

        var value = 0;
        for (var k = at + 2; k < at + 6; k++)
        {
            var digit = HexValue(json[k]);
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
