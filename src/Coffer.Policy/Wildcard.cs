namespace Coffer.Policy;

/// <summary>IAM's <c>*</c> (any run) and <c>?</c> (any one character) matching, without regexes.</summary>
public static class Wildcard
{
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value, bool ignoreCase)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], value[v], ignoreCase)))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool Same(char pattern, char value, bool ignoreCase) =>
        pattern == value
        || (pattern == PolicyVariables.LiteralStar && value == '*')
        || (pattern == PolicyVariables.LiteralQuestion && value == '?')
        || (ignoreCase && char.ToLowerInvariant(pattern) == char.ToLowerInvariant(value));
}
