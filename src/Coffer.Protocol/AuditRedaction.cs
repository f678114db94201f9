using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Crypto;
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
    /// <summary>
    /// The members of a validated request body its model shape knows, minus <paramref name="secrets"/>,
    /// as a UTF-8 JSON object: written straight from the body, with no tree of nodes in between.
    /// </summary>
    public static byte[] RequestParameters(ModelShape shape, JsonElement body, IReadOnlySet<string> secrets)
    {
        using var scratch = ScratchJson.Rent();
        WriteMembers(scratch.Writer, shape, body, secrets);
        return scratch.Written.ToArray();
    }

    private static void WriteMembers(Utf8JsonWriter json, ModelShape shape, JsonElement body, IReadOnlySet<string> secrets)
    {
        json.WriteStartObject();
        foreach (var (name, member) in shape.Members)
        {
            if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null || secrets.Contains(name))
            {
                continue;
            }

            json.WritePropertyName(AuditName(name));
            if (member.Type == "structure" && value.ValueKind == JsonValueKind.Object)
            {
                WriteMembers(json, member, value, secrets);
            }
            else
            {
                value.WriteTo(json);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>A JSON object as the UTF-8 text an event holds.</summary>
    public static byte[] Utf8(JsonObject parameters) => JsonSerializer.SerializeToUtf8Bytes(parameters);

    /// <summary>
    /// The camelCase name of each model member, encoded once. Bounded: only the model's own member
    /// names reach it, after validation.
    /// </summary>
    private static readonly ConcurrentDictionary<string, JsonEncodedText> AuditNames = new(StringComparer.Ordinal);

    private static JsonEncodedText AuditName(string name) => AuditNames.GetOrAdd(name, static n => JsonEncodedText.Encode(CamelCase(n)));

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
