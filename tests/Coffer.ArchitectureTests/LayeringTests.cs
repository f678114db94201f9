namespace Coffer.ArchitectureTests;

/// <summary>
/// The layering of <c>architecture/layers.json</c>, checked on the compiled assemblies: their
/// references among Coffer's parts, the Coffer types they name, the arrows that must never exist
/// and the packages a part must not reference. Parts whose folders do not exist yet are skipped.
/// </summary>
public class LayeringTests
{
    private static LayersFile Layers => LayersFile.Instance;

    /// <summary>Which part each compiled Coffer assembly belongs to.</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, string>> PartOfAssembly = new(() => Layers.Parts.Values
        .SelectMany(part => ExistingFolders(part).Select(folder => (Repository.Assembly(folder).Name, part.Name)))
        .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal));

    private static IEnumerable<string> ExistingFolders(Part part) => part.Folders.Where(Repository.Exists);

    private static IEnumerable<CompiledAssembly> AssembliesOf(string part) => ExistingFolders(Layers.Parts[part]).Select(Repository.Assembly);

    /// <summary>The part a referenced assembly belongs to; null for one outside Coffer, "(no part)" for a Coffer one the file lacks.</summary>
    private static string? PartOf(string assembly) => PartOfAssembly.Value.TryGetValue(assembly, out var part)
        ? part
        : assembly.StartsWith("Coffer.", StringComparison.Ordinal) ? "(no part)" : null;

    private static bool IsAllowed(string from, string to) => from == to || Layers.Parts[from].Uses.Contains(to) || Layers.IsKnownViolation(from, to);

    private static bool IsPackage(string assemblyOrNamespace, string package) =>
        assemblyOrNamespace == package || assemblyOrNamespace.StartsWith(package + ".", StringComparison.Ordinal);

    public static TheoryData<string> PartsThatExist => [.. Layers.Parts.Values.Where(p => ExistingFolders(p).Any()).Select(p => p.Name)];

    public static TheoryData<string, string, string> NeverArrows => Rows(Layers.Never.Select(a => (a.From, a.To, a.Reason)));

    public static TheoryData<string, string, string> PackageBans => Rows(Layers.NeverPackages.Select(b => (b.Part, b.Package, b.Reason)));

    private static TheoryData<string, string, string> Rows(IEnumerable<(string, string, string)> rows)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (a, b, c) in rows)
        {
            data.Add(a, b, c);
        }

        return data;
    }

    [Fact]
    public void Every_project_under_src_belongs_to_exactly_one_part()
    {
        var problems = new List<string>();
        foreach (var folder in Repository.ProjectFolders())
        {
            var owners = Layers.Parts.Values.Where(p => p.Folders.Contains(folder, StringComparer.Ordinal)).Select(p => p.Name).ToList();
            if (owners.Count != 1)
            {
                problems.Add(owners.Count == 0
                    ? $"{folder} is in no part: add it to one in {LayersFile.RelativePath}, with the references it may make"
                    : $"{folder} is in several parts: {string.Join(", ", owners)}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_file_names_only_parts_it_defines()
    {
        var named = Layers.Parts.Values.SelectMany(p => p.Uses.Select(u => (p.Name, u)))
            .Concat(Layers.Never.Concat(Layers.KnownViolations).SelectMany(a => new[] { ("never/knownViolations", a.From), ("never/knownViolations", a.To) }))
            .Concat(Layers.NeverPackages.Select(b => ("neverPackages", b.Part)));
        Assert.Empty(named.Where(n => !Layers.Parts.ContainsKey(n.Item2)).Select(n => $"{n.Item1} names '{n.Item2}', which is no part"));
        Assert.DoesNotContain(Layers.Parts.Values.SelectMany(p => p.Folders), f => !f.StartsWith("src/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PartsThatExist))]
    public void A_part_references_only_the_assemblies_of_the_parts_it_uses(string part)
    {
        var problems = AssembliesOf(part)
            .SelectMany(assembly => assembly.References
                .Select(reference => (reference, to: PartOf(reference)))
                .Where(r => r.to is not null && !IsAllowed(part, r.to))
                .Select(r => $"{assembly.Name} references {r.reference} ({r.to}), but {part} uses only [{string.Join(", ", Layers.Parts[part].Uses)}]"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(PartsThatExist))]
    public void A_part_names_only_types_of_the_parts_it_uses(string part)
    {
        var problems = AssembliesOf(part)
            .SelectMany(assembly => assembly.TypesByAssembly
                .Select(p => (types: p.Value, to: PartOf(p.Key)))
                .Where(r => r.to is not null && !IsAllowed(part, r.to))
                .Select(r => $"{assembly.Name} names {string.Join(", ", r.types)} from {r.to}, which {part} does not use"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(NeverArrows))]
    public void An_arrow_the_file_forbids_does_not_exist(string from, string to, string reason)
    {
        if (Layers.IsKnownViolation(from, to))
        {
            return;
        }

        var found = AssembliesOf(from)
            .SelectMany(assembly => assembly.References.Where(r => PartOf(r) == to)
                .Select(r => $"{assembly.Name} → {r}: {string.Join(", ", assembly.TypesFrom(r).DefaultIfEmpty("(no type named)"))}"))
            .ToList();
        Assert.True(found.Count == 0, $"{from} must never reference {to}: {reason}.{Environment.NewLine}{string.Join(Environment.NewLine, found)}");
    }

    [Theory]
    [MemberData(nameof(PackageBans))]
    public void A_part_references_no_package_the_file_forbids(string part, string package, string reason)
    {
        var found = AssembliesOf(part)
            .SelectMany(assembly => assembly.References.Where(r => IsPackage(r, package)).Select(r => $"{assembly.Name} references {r}")
                .Concat(assembly.AllTypes.Where(t => IsPackage(t, package)).Select(t => $"{assembly.Name} names {t}")))
            .ToList();
        Assert.True(found.Count == 0, $"{part} must not use {package}: {reason}.{Environment.NewLine}{string.Join(Environment.NewLine, found)}");
    }

    [Fact]
    public void Every_known_violation_still_exists_so_the_list_only_shrinks()
    {
        var gone = Layers.KnownViolations
            .Where(v => !AssembliesOf(v.From).Any(a => a.References.Any(r => PartOf(r) == v.To)))
            .Select(v => $"{v.From} → {v.To} no longer exists: remove it from knownViolations in {LayersFile.RelativePath}")
            .ToList();
        Assert.True(gone.Count == 0, string.Join(Environment.NewLine, gone));
    }

    [Theory]
    [InlineData("src/Coffer.Core")]
    [InlineData("src/Coffer.Storage")]
    [InlineData("src/Coffer.Storage.Sqlite")]
    [InlineData("src/Coffer.Storage.Postgres")]
    [InlineData("src/Coffer.Barrier")]
    [InlineData("src/Coffer.Service")]
    [InlineData("src/Coffer.Protocol")]
    [InlineData("src/Coffer.Server")]
    [InlineData("src/Coffer.Policy")]
    [InlineData("src/Coffer.Audit")]
    [InlineData("src/Coffer.Cli")]
    public void Only_Coffer_Crypto_uses_System_Security_Cryptography(string folder)
    {
        if (!Repository.Exists(folder))
        {
            return; // a part the file plans but the repository does not have yet
        }

        string[] allowed = folder switch
        {
            // The host may hold the TLS certificate Coffer.Crypto loaded, to hand it to Kestrel.
            "src/Coffer.Server" => ["System.Security.Cryptography.X509Certificates.X509Certificate2"],
            // The CLI reports a bad TLS key or a wrong root key in one line; catching the exception uses no primitive.
            "src/Coffer.Cli" => ["System.Security.Cryptography.CryptographicException"],
            _ => [],
        };
        var used = Repository.Assembly(folder).AllTypes.Where(t => IsPackage(t, "System.Security.Cryptography"));
        Assert.Empty(used.Except(allowed));
    }

    [Fact]
    public void Coffer_Crypto_does_use_it()
    {
        Assert.Contains("System.Security.Cryptography", Repository.Assembly("src/Coffer.Crypto").References);
    }

    [Fact]
    public void Every_operation_lives_in_its_own_file_named_after_it()
    {
        var operations = System.Reflection.Assembly.Load("Coffer.Service").GetTypes()
            .Where(t => t is { IsAbstract: false, BaseType.IsGenericType: true, Namespace: "Coffer.Service.Operations" }
                && t.BaseType.GetGenericTypeDefinition().Name.StartsWith("Operation`", StringComparison.Ordinal))
            .Select(t => t.Name)
            .ToList();
        var files = Directory.GetFiles(Path.Combine(Repository.Root, "src", "Coffer.Service", "Operations"), "*.cs").Select(Path.GetFileNameWithoutExtension).ToHashSet();

        Assert.NotEmpty(operations);
        Assert.All(operations, name => Assert.Contains(name, files));
    }
}
