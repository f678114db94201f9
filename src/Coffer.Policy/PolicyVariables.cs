using System.Text;

namespace Coffer.Policy;

/// <summary>Expands <c>${aws:username}</c>-style variables (and the <c>${*}</c>, <c>${?}</c>, <c>${$}</c> escapes) in policy values and resources.</summary>
internal static class PolicyVariables
{
    /// <summary>In a wildcard pattern, the literal <c>*</c> and <c>?</c> that <c>${*}</c> and <c>${?}</c> stand for.</summary>
    public const char LiteralStar = '\uE000';
    public const char LiteralQuestion = '\uE001';

    /// <summary>
    /// Expands the variables of <paramref name="value"/>. <c>${key, 'default'}</c> takes the default
    /// when the key is absent. With <paramref name="forWildcard"/>, <c>${*}</c> and <c>${?}</c> become
    /// characters <see cref="Wildcard"/> matches literally.
    /// </summary>
    public static string Expand(string value, RequestFacts facts, bool forWildcard)
    {
        if (!value.Contains("${", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            var start = value.IndexOf("${", i, StringComparison.Ordinal);
            var end = start < 0 ? -1 : value.IndexOf('}', start);
            if (start < 0 || end < 0)
            {
                builder.Append(value, i, value.Length - i);
                break;
            }

            builder.Append(value, i, start - i);
            var name = value[(start + 2)..end];
            string? fallback = null;
            var comma = name.IndexOf(',', StringComparison.Ordinal);
            if (comma >= 0)
            {
                fallback = name[(comma + 1)..].Trim().Trim('\'');
                name = name[..comma].Trim();
            }

            builder.Append(name switch
            {
                "*" => forWildcard ? LiteralStar.ToString() : "*",
                "?" => forWildcard ? LiteralQuestion.ToString() : "?",
                "$" => "$",
                // An unknown variable without a default never matches anything.
                _ => facts.TryGet(name, out var values) && values.Count == 1 ? values[0] : fallback ?? "\u0000unresolved\u0000",
            });
            i = end + 1;
        }

        return builder.ToString();
    }
}
