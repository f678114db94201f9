using System.Buffers;
using System.Text.Json;

namespace Coffer.LoadGen;

/// <summary>
/// What a correct response to one workload looks like. Every response under load goes through it,
/// because an error answered quickly would otherwise count as throughput.
/// </summary>
internal sealed class ResponseCheck
{
    private readonly List<Func<JsonElement, string?>> _rules = [];

    /// <summary>The field is a string equal to <paramref name="expected"/> (an ARN, a plaintext, a deterministic MAC).</summary>
    public ResponseCheck Equal(string field, string expected)
    {
        _rules.Add(root => Text(root, field) == expected ? null : $"{field} is not the expected value");
        return this;
    }

    /// <summary>The field is base64 of a length in the range (a fresh ciphertext, data key or ECDSA signature).</summary>
    public ResponseCheck Base64(string field, int minBytes, int maxBytes)
    {
        _rules.Add(root =>
        {
            var text = Text(root, field);
            if (text is null)
            {
                return $"{field} is missing";
            }

            var bytes = ArrayPool<byte>.Shared.Rent(text.Length);
            try
            {
                return Convert.TryFromBase64String(text, bytes, out var length) && length >= minBytes && length <= maxBytes
                    ? null
                    : $"{field} is not base64 of {minBytes}-{maxBytes} bytes";
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        });
        return this;
    }

    public ResponseCheck True(string field)
    {
        _rules.Add(root => root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.True ? null : $"{field} is not true");
        return this;
    }

    /// <summary>Why the response is wrong, or null when it is right.</summary>
    public string? Problem(int status, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (status != 200)
            {
                return $"HTTP {status} {Text(root, "__type")}";
            }

            foreach (var rule in _rules)
            {
                if (rule(root) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return $"HTTP {status}, body is not JSON";
        }
    }

    private static string? Text(JsonElement root, string field) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
