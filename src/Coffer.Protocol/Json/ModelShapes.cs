using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coffer.Protocol.Json;

/// <summary>
/// One shape of the KMS API model (structure, list, map, string, blob, integer, boolean, …) with
/// the constraints AWS checks at its edge. Built once from the embedded model, then read-only.
/// </summary>
internal sealed class ModelShape
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public long? Min { get; init; }
    public long? Max { get; init; }
    public Regex? Pattern { get; init; }
    public string? PatternText { get; init; }
    public IReadOnlyList<string>? Enum { get; init; }
    public bool Sensitive { get; init; }
    public List<(string Name, ModelShape Shape)> Members { get; } = [];
    public HashSet<string> Required { get; } = new(StringComparer.Ordinal);
    public ModelShape? Member { get; set; }
    public ModelShape? Key { get; set; }
    public ModelShape? Value { get; set; }
}

/// <summary>The KMS API model: operation names and their input shapes.</summary>
internal static class KmsModel
{
    private static readonly Lazy<(Dictionary<string, ModelShape> Inputs, Dictionary<string, ModelShape> Outputs)> Shapes = new(Load);

    /// <summary>The input shape of each operation, by operation name.</summary>
    public static IReadOnlyDictionary<string, ModelShape> OperationInputs => Shapes.Value.Inputs;

    /// <summary>The output shape of each operation that has one, by operation name.</summary>
    public static IReadOnlyDictionary<string, ModelShape> OperationOutputs => Shapes.Value.Outputs;

    private static (Dictionary<string, ModelShape> Inputs, Dictionary<string, ModelShape> Outputs) Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Coffer.Protocol.kms-model.json")
            ?? throw new InvalidOperationException("The KMS API model is missing from the assembly.");
        using var document = JsonDocument.Parse(stream);
        var shapes = document.RootElement.GetProperty("shapes");
        var built = new Dictionary<string, ModelShape>(StringComparer.Ordinal);

        ModelShape Build(string name)
        {
            if (built.TryGetValue(name, out var existing))
            {
                return existing;
            }

            var json = shapes.GetProperty(name);
            var sensitive = json.TryGetProperty("sensitive", out var s) && s.GetBoolean();
            string? pattern = json.TryGetProperty("pattern", out var p) ? p.GetString() : null;
            var shape = new ModelShape
            {
                Name = name,
                Type = json.GetProperty("type").GetString()!,
                Min = json.TryGetProperty("min", out var min) ? min.GetInt64() : null,
                Max = json.TryGetProperty("max", out var max) ? max.GetInt64() : null,
                PatternText = pattern,
                // The model's patterns are Java regexes matched against the whole value.
                Pattern = pattern is null ? null : new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)),
                Enum = json.TryGetProperty("enum", out var e) ? e.EnumerateArray().Select(v => v.GetString()!).ToList() : null,
                Sensitive = sensitive,
            };
            built[name] = shape;
            if (json.TryGetProperty("members", out var members))
            {
                foreach (var member in members.EnumerateObject())
                {
                    shape.Members.Add((member.Name, Build(member.Value.GetProperty("shape").GetString()!)));
                }
            }

            if (json.TryGetProperty("required", out var required))
            {
                foreach (var r in required.EnumerateArray())
                {
                    shape.Required.Add(r.GetString()!);
                }
            }

            if (json.TryGetProperty("member", out var listMember))
            {
                shape.Member = Build(listMember.GetProperty("shape").GetString()!);
            }

            if (json.TryGetProperty("key", out var key))
            {
                shape.Key = Build(key.GetProperty("shape").GetString()!);
                shape.Value = Build(json.GetProperty("value").GetProperty("shape").GetString()!);
            }

            return shape;
        }

        var inputs = new Dictionary<string, ModelShape>(StringComparer.Ordinal);
        var outputs = new Dictionary<string, ModelShape>(StringComparer.Ordinal);
        foreach (var operation in document.RootElement.GetProperty("operations").EnumerateObject())
        {
            if (operation.Value.TryGetProperty("input", out var input))
            {
                inputs[operation.Name] = Build(input.GetProperty("shape").GetString()!);
            }

            if (operation.Value.TryGetProperty("output", out var output))
            {
                outputs[operation.Name] = Build(output.GetProperty("shape").GetString()!);
            }
        }

        return (inputs, outputs);
    }
}
