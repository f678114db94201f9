using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Protocol.Json;

namespace Coffer.Protocol;

/// <summary>
/// Turns request and response bodies into CloudTrail's <c>requestParameters</c> and
/// <c>responseElements</c>: camelCase member names, and nothing secret. Every blob (plaintext,
/// ciphertext, data keys) and every member the model marks sensitive is dropped, whatever the
/// operation, so a new operation cannot leak by omission.
/// </summary>
internal static class AuditRedaction
{
    private static readonly HashSet<string> SecretResponseMembers = new(StringComparer.OrdinalIgnoreCase)
    {
        "Plaintext", "CiphertextBlob", "GrantToken", "SecretAccessKey", "SessionToken", "PrivateKeyPlaintext", "PublicKey",
    };

    public static JsonObject RequestParameters(ModelShape shape, JsonElement body)
    {
        var result = new JsonObject();
        foreach (var (name, member) in shape.Members)
        {
            if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null || member.Type == "blob" || member.Sensitive)
            {
                continue;
            }

            result[CamelCase(name)] = member.Type == "structure" && value.ValueKind == JsonValueKind.Object
                ? RequestParameters(member, value)
                : JsonNode.Parse(value.GetRawText());
        }

        return result;
    }

    /// <summary>The named members of a request body that has been type-checked, for an operation without a model shape.</summary>
    public static JsonObject KnownMembers(JsonElement body, IEnumerable<string> names)
    {
        var result = new JsonObject();
        foreach (var name in names)
        {
            if (body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                result[CamelCase(name)] = JsonNode.Parse(value.GetRawText());
            }
        }

        return result;
    }

    /// <summary>A response object as responseElements, minus every secret-bearing member.</summary>
    public static JsonObject? ResponseElements(JsonNode? response)
    {
        if (response is not JsonObject obj)
        {
            return null;
        }

        var result = new JsonObject();
        foreach (var (name, value) in obj)
        {
            if (SecretResponseMembers.Contains(name))
            {
                continue;
            }

            result[CamelCase(name)] = value is JsonObject nested ? ResponseElements(nested) : value?.DeepClone();
        }

        return result;
    }

    public static JsonObject QueryParameters(IReadOnlyDictionary<string, string> parameters)
    {
        var result = new JsonObject();
        foreach (var (name, value) in parameters)
        {
            if (name is not ("Action" or "Version") && !SecretResponseMembers.Contains(name))
            {
                result[CamelCase(name)] = value;
            }
        }

        return result;
    }

    public static string CamelCase(string name) => name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
