using System.Text.Json;

namespace Coffer.Policy;

/// <summary>Allow or Deny.</summary>
public enum Effect
{
    Allow,
    Deny,
}

/// <summary>The policy could not be parsed or breaks the grammar. The message is safe to return to the caller.</summary>
public sealed class PolicyParseException(string message) : Exception(message);

/// <summary>
/// A parsed, compiled policy (IAM grammar: Version, Id, Statement as object or array). Immutable
/// and thread-safe: parse once, evaluate many times.
/// </summary>
public sealed class PolicyDocument
{
    private PolicyDocument(string? version, string? id, IReadOnlyList<PolicyStatement> statements)
    {
        Version = version;
        Id = id;
        Statements = statements;
        // Every condition key a statement reads, so callers fetch only the facts a policy can see.
        ConditionKeys = statements.SelectMany(s => s.Conditions.Select(c => c.Key)).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The condition keys the policy's conditions read.</summary>
    public IReadOnlySet<string> ConditionKeys { get; }

    /// <summary>Whether any condition reads a key starting with <paramref name="prefix"/> (case-insensitive).</summary>
    public bool ReadsConditionKey(string prefix) => ConditionKeys.Any(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    public string? Version { get; }
    public string? Id { get; }
    public IReadOnlyList<PolicyStatement> Statements { get; }

    /// <summary>What the policy is attached to, which decides whether Principal is required or forbidden.</summary>
    public enum Kind
    {
        /// <summary>Key policies and role trust policies: every statement names a Principal or NotPrincipal.</summary>
        Resource,

        /// <summary>User and role policies: no Principal; Resource or NotResource required.</summary>
        Identity,
    }

    public static PolicyDocument Parse(string json, Kind kind)
    {
        try
        {
            return ParseJson(json, kind);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json reads a string that escapes half a surrogate pair only to throw
            // when it is read: such a policy is malformed, not a server fault.
            throw new PolicyParseException("The policy contains a string that is not valid Unicode.");
        }
    }

    private static PolicyDocument ParseJson(string json, Kind kind)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            throw new PolicyParseException("The policy is not valid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyParseException("The policy must be a JSON object.");
            }

            RejectDuplicateNames(root);
            string? version = null, id = null;
            JsonElement? statementElement = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "Version":
                        version = RequireString(property.Value, "Version");
                        if (version is not ("2012-10-17" or "2008-10-17"))
                        {
                            throw new PolicyParseException($"The policy has an unsupported Version '{version}'. Use 2012-10-17.");
                        }

                        break;
                    case "Id":
                        id = RequireString(property.Value, "Id");
                        break;
                    case "Statement":
                        statementElement = property.Value;
                        break;
                    default:
                        throw new PolicyParseException($"The policy has an unknown element '{property.Name}'.");
                }
            }

            if (statementElement is not { } statements)
            {
                throw new PolicyParseException("The policy has no Statement.");
            }

            var parsed = new List<PolicyStatement>();
            if (statements.ValueKind == JsonValueKind.Array)
            {
                foreach (var statement in statements.EnumerateArray())
                {
                    parsed.Add(PolicyStatement.Parse(statement, kind, version));
                }
            }
            else
            {
                parsed.Add(PolicyStatement.Parse(statements, kind, version));
            }

            if (parsed.Count == 0)
            {
                throw new PolicyParseException("The policy has an empty Statement.");
            }

            if (kind == Kind.Identity && parsed.FirstOrDefault(s => s.Sid is not null && !s.Sid.All(char.IsAsciiLetterOrDigit)) is { } badSid)
            {
                throw new PolicyParseException($"Statement IDs (SID) must be alpha-numeric: '{badSid.Sid}'.");
            }

            var sids = parsed.Where(s => s.Sid is not null).GroupBy(s => s.Sid).FirstOrDefault(g => g.Count() > 1);
            if (sids is not null && kind == Kind.Identity)
            {
                throw new PolicyParseException($"Statement IDs (SID) in a single policy must be unique: '{sids.Key}'.");
            }

            return new PolicyDocument(version, id, parsed);
        }
    }

    /// <summary>The grammar forbids an element twice in one object (two Effects, two Statements).</summary>
    internal static void RejectDuplicateNames(JsonElement element)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new PolicyParseException($"The policy has the element '{property.Name}' more than once in one block.");
            }
        }
    }

    internal static string RequireString(JsonElement value, string element) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new PolicyParseException($"The policy element {element} must be a string.");

    /// <summary>A string or an array of strings, as most policy elements allow.</summary>
    internal static List<string> StringOrArray(JsonElement value, string element)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new PolicyParseException($"The policy element {element} must be a string or an array of strings.");
        }

        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            list.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => item.GetRawText(),
                _ => throw new PolicyParseException($"The policy element {element} must be a string or an array of strings."),
            });
        }

        if (list.Count == 0)
        {
            throw new PolicyParseException($"The policy element {element} must not be empty.");
        }

        return list;
    }
}
