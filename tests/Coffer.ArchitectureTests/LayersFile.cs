using System.Text.Json;

namespace Coffer.ArchitectureTests;

/// <summary>A part of Coffer as <c>architecture/layers.json</c> declares it.</summary>
internal sealed record Part(string Name, IReadOnlyList<string> Folders, IReadOnlySet<string> Uses);

/// <summary>A reference from one part to another, with the reason the file gives for it.</summary>
internal sealed record Arrow(string From, string To, string Reason);

/// <summary>An assembly outside Coffer (a name, or a prefix of dotted names) that a part must not reference.</summary>
internal sealed record PackageBan(string Part, string Package, string Reason);

/// <summary>
/// <c>architecture/layers.json</c>, read from the repository itself so the tests always check the
/// copy a reviewer sees, not one built into the output.
/// </summary>
internal sealed class LayersFile
{
    public const string RelativePath = "architecture/layers.json";

    private static readonly Lazy<LayersFile> Loaded = new(() => Read(Repository.Root));

    private LayersFile(IReadOnlyDictionary<string, Part> parts, IReadOnlyList<Arrow> never, IReadOnlyList<PackageBan> neverPackages, IReadOnlyList<Arrow> knownViolations)
    {
        Parts = parts;
        Never = never;
        NeverPackages = neverPackages;
        KnownViolations = knownViolations;
    }

    public static LayersFile Instance => Loaded.Value;

    public IReadOnlyDictionary<string, Part> Parts { get; }
    public IReadOnlyList<Arrow> Never { get; }
    public IReadOnlyList<PackageBan> NeverPackages { get; }
    public IReadOnlyList<Arrow> KnownViolations { get; }

    public bool IsKnownViolation(string from, string to) => KnownViolations.Any(v => v.From == from && v.To == to);

    private static LayersFile Read(string root)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, RelativePath)));
        var json = document.RootElement;
        var parts = json.GetProperty("parts").EnumerateObject().ToDictionary(
            p => p.Name,
            p => new Part(p.Name, Strings(p.Value.GetProperty("folders")), Strings(p.Value.GetProperty("uses")).ToHashSet(StringComparer.Ordinal)),
            StringComparer.Ordinal);
        var never = Rows(json, "never").Select(r => new Arrow(r[0], r[1], r[2])).ToList();
        var packages = Rows(json, "neverPackages").Select(r => new PackageBan(r[0], r[1], r[2])).ToList();
        var known = json.TryGetProperty("knownViolations", out var k) ? Rows(k, "arrows").Select(r => new Arrow(r[0], r[1], r[2])).ToList() : [];
        return new LayersFile(parts, never, packages, known);
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    private static IEnumerable<List<string>> Rows(JsonElement owner, string name) => owner.TryGetProperty(name, out var rows)
        ? rows.EnumerateArray().Select(Strings).Select(row => row.Count == 3 ? row : throw new FormatException($"{RelativePath}: every row of '{name}' is [from, to, reason]"))
        : [];
}
