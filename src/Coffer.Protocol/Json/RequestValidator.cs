using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Coffer.Core;

namespace Coffer.Protocol.Json;

/// <summary>
/// Checks a request body against the operation's input shape before anything else reads it, and
/// answers as AWS does: a wrong JSON type is a SerializationException; missing members and
/// values outside the model's lengths, ranges, patterns and enums are one ValidationException
/// listing every violation (<c>2 validation errors detected: Value 'x' at 'keyId' failed to
/// satisfy constraint: …; …</c>). Sensitive members never have their value echoed.
/// </summary>
internal static class RequestValidator
{
    public const ErrorCode SerializationError = ErrorCode.Serialization;

    public static void Validate(ModelShape input, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new KmsException(SerializationError, "Start of structure or map found where not expected");
        }

        var errors = new List<string>();
        try
        {
            CheckStructure(input, body, "", errors);
        }
        catch (InvalidOperationException)
        {
            // JsonElement.GetString on a string that is not valid UTF-8.
            throw new KmsException(SerializationError, "Invalid UTF-8 in a string value");
        }

        if (errors.Count > 0)
        {
            var noun = errors.Count == 1 ? "error" : "errors";
            throw new KmsException(KmsErrors.Validation, $"{errors.Count} validation {noun} detected: {string.Join("; ", errors)}");
        }
    }

    private static void CheckStructure(ModelShape shape, JsonElement value, string path, List<string> errors)
    {
        foreach (var (name, memberShape) in shape.Members)
        {
            var memberPath = path.Length == 0 ? LowerFirst(name) : $"{path}.{LowerFirst(name)}";
            if (!value.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
            {
                if (shape.Required.Contains(name))
                {
                    errors.Add($"Value null at '{memberPath}' failed to satisfy constraint: Member must not be null");
                }

                continue;
            }

            Check(memberShape, member, memberPath, errors);
        }
    }

    private static void Check(ModelShape shape, JsonElement value, string path, List<string> errors)
    {
        switch (shape.Type)
        {
            case "structure":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    ThrowType("Unexpected field type");
                }

                CheckStructure(shape, value, path, errors);
                break;
            case "list":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    ThrowType(value.ValueKind == JsonValueKind.Object ? "Start of structure or map found where not expected" : "Unexpected field type");
                }

                CheckLength(shape, value.GetArrayLength(), Render(shape, value), path, errors);
                var index = 1;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Null)
                    {
                        Check(shape.Member!, item, $"{path}.{index}.member", errors);
                    }

                    index++;
                }

                break;
            case "map":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    ThrowType(value.ValueKind == JsonValueKind.Array ? "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>" : "Unexpected field type");
                }

                var count = 0;
                foreach (var entry in value.EnumerateObject())
                {
                    count++;
                    CheckString(shape.Key!, entry.Name, path, errors, "Map keys must satisfy constraint: ");
                    if (entry.Value.ValueKind != JsonValueKind.String)
                    {
                        ThrowType($"{Token(entry.Value)} cannot be converted to String");
                    }

                    CheckString(shape.Value!, entry.Value.GetString()!, path, errors, "Map value must satisfy constraint: ");
                }

                CheckLength(shape, count, Render(shape, value), path, errors);
                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    ThrowType(value.ValueKind switch
                    {
                        JsonValueKind.Object => "Start of structure or map found where not expected",
                        JsonValueKind.Array => "Unrecognized collection type class java.lang.String",
                        _ => $"{Token(value)} cannot be converted to String",
                    });
                }

                CheckString(shape, value.GetString()!, path, errors, "");
                break;
            case "blob":
                if (value.ValueKind != JsonValueKind.String)
                {
                    ThrowType(value.ValueKind switch
                    {
                        JsonValueKind.Object => "Start of structure or map found where not expected",
                        JsonValueKind.Array => "Unrecognized collection type class java.nio.ByteBuffer",
                        _ => "only base-64-encoded strings are convertible to bytes",
                    });
                }

                var text = value.GetString()!;
                if (!Base64.IsValid(text, out var decodedLength))
                {
                    ThrowType(text.Length % 4 != 0
                        ? $"Base64 encoded length is expected a multiple of 4 bytes but found: {text.Length}"
                        : "Invalid Base64 character detected");
                }

                CheckLength(shape, decodedLength, null, path, errors);
                break;
            case "integer" or "long":
                if (value.ValueKind != JsonValueKind.Number)
                {
                    ThrowType(value.ValueKind switch
                    {
                        JsonValueKind.Object => "Start of structure or map found where not expected",
                        JsonValueKind.Array => "Unrecognized collection type class java.lang.Integer",
                        _ => $"{Token(value)} cannot be converted to {(shape.Type == "integer" ? "Integer" : "Long")}",
                    });
                }

                if (!value.TryGetInt64(out var number) || (shape.Type == "integer" && number is < int.MinValue or > int.MaxValue))
                {
                    ThrowType($"DECIMAL_VALUE cannot be converted to {(shape.Type == "integer" ? "Integer" : "Long")}");
                }

                var shown = number.ToString(CultureInfo.InvariantCulture);
                if (shape.Min is { } min && number < min)
                {
                    errors.Add($"Value '{shown}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
                }

                if (shape.Max is { } max && number > max)
                {
                    errors.Add($"Value '{shown}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {max}");
                }

                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    ThrowType(value.ValueKind == JsonValueKind.String ? "Unexpected token received from parser" : $"{Token(value)} cannot be converted to Boolean");
                }

                break;
            case "timestamp":
                if (value.ValueKind != JsonValueKind.Number)
                {
                    ThrowType($"{Token(value)} cannot be converted to Date");
                }

                break;
        }
    }

    private static void CheckString(ModelShape shape, string text, string path, List<string> errors, string prefix)
    {
        var shown = shape.Sensitive ? "Value" : $"Value '{text}'";
        if (shape.Enum is { } values && !values.Contains(text, StringComparer.Ordinal))
        {
            errors.Add($"{shown} at '{path}' failed to satisfy constraint: {prefix}Member must satisfy enum value set: [{string.Join(", ", values)}]");
        }

        CheckLength(shape, text.Length, shape.Sensitive ? null : text, path, errors, prefix);
        if (shape.Pattern is { } pattern && !pattern.IsMatch(text))
        {
            errors.Add($"{shown} at '{path}' failed to satisfy constraint: {prefix}Member must satisfy regular expression pattern: {shape.PatternText}");
        }
    }

    private static void CheckLength(ModelShape shape, long length, string? shownValue, string path, List<string> errors, string prefix = "")
    {
        var shown = shownValue is null ? "Value" : $"Value '{shownValue}'";
        if (shape.Min is { } min && length < min)
        {
            errors.Add($"{shown} at '{path}' failed to satisfy constraint: {prefix}Member must have length greater than or equal to {min}");
        }

        if (shape.Max is { } max && length > max)
        {
            errors.Add($"{shown} at '{path}' failed to satisfy constraint: {prefix}Member must have length less than or equal to {max}");
        }
    }

    private static string? Render(ModelShape shape, JsonElement value) => shape.Sensitive ? null : value.GetRawText();

    private static string Token(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => "TRUE_VALUE",
        JsonValueKind.False => "FALSE_VALUE",
        JsonValueKind.String => "STRING_VALUE",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "NUMBER_VALUE" : "DECIMAL_VALUE",
        JsonValueKind.Array => "START_ARRAY",
        _ => "START_OBJECT",
    };

    private static string LowerFirst(string name) =>
        string.Create(name.Length, name, static (span, n) =>
        {
            n.AsSpan().CopyTo(span);
            span[0] = char.ToLowerInvariant(span[0]);
        });

    private static void ThrowType(string message) => throw new KmsException(SerializationError, message);
}
