namespace Coffer.Audit;

/// <summary>
/// Text from a request (a header, a name, a message that echoes input) can hold half of a
/// surrogate pair, which UTF-8 cannot encode: writing it would throw and lose the event. Every
/// string an event writes goes through <see cref="Clean"/>, which puts U+FFFD in place of each
/// unpaired surrogate and returns any valid string unchanged, without copying it.
/// </summary>
public static class AuditText
{
    public static string Clean(string value)
    {
        var first = FirstUnpaired(value);
        if (first < 0)
        {
            return value;
        }

        return string.Create(value.Length, (value, first), static (chars, state) =>
        {
            state.value.AsSpan().CopyTo(chars);
            for (var i = state.first; i < chars.Length; i++)
            {
                if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(chars[i]))
                {
                    chars[i] = '\uFFFD';
                }
            }
        });
    }

    private static int FirstUnpaired(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
