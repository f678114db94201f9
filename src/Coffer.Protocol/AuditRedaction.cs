using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Protocol.Json;

namespace Coffer.Protocol;

/// <summary>
/// Turns request and response bodies into CloudTrail's <c>requestParameters</c> and
/// <c>responseElements</c>: camelCase member names, minus the members the operation's table row
/// names secret, at any depth. That row is the one source of redaction; a test checks it covers
/// every member the KMS API model marks sensitive or binary.
/// </summary>
internal static class AuditRedaction
{
    /// <summary>The members of a validated request body its model shape knows, minus <paramref name="secrets"/>.</summary>
    public static JsonObject RequestParameters(ModelShape shape, JsonElement body, IReadOnlySet<string> secrets)
    {
        var result = new JsonObject();
        foreach (var (name, member) in shape.Members)
        {
            if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null || secrets.Contains(name))
            {
                continue;
            }

            result[CamelCase(name)] = member.Type == "structure" && value.ValueKind == JsonValueKind.Object
                ? RequestParameters(member, value, secrets)
                : JsonNode.Parse(value.GetRawText());
        }

        return result;
    }

    /// <summary>The named members of a request body that has been type-checked, for an operation without a model shape.</summary>
    public static JsonObject KnownMembers(JsonElement body, IEnumerable<string> names, IReadOnlySet<string> secrets)
    {
        var result = new JsonObject();
        foreach (var name in names)
        {
            if (!secrets.Contains(name) && body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                result[CamelCase(name)] = JsonNode.Parse(value.GetRawText());
            }
        }

        return result;
    }

    /// <summary>A response object as responseElements, minus every secret-bearing member.</summary>
    public static JsonObject? ResponseElements(JsonNode? response, IReadOnlySet<string> secrets)
    {
        if (response is not JsonObject obj)
        {
            return null;
        }

        var result = new JsonObject();
        foreach (var (name, value) in obj)
        {
            if (secrets.Contains(name))
            {
                continue;
            }

            result[CamelCase(name)] = value is JsonObject nested ? ResponseElements(nested, secrets) : value?.DeepClone();
        }

        return result;
    }

    public static JsonObject QueryParameters(IReadOnlyDictionary<string, string> parameters, IReadOnlySet<string> secrets)
    {
        var result = new JsonObject();
        foreach (var (name, value) in parameters)
        {
            if (name is not ("Action" or "Version") && !secrets.Contains(name))
            {
                result[CamelCase(name)] = value;
            }
        }

        return result;
    }

    public static string CamelCase(string name) => name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
