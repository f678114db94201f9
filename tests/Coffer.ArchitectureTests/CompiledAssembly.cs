using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Coffer.ArchitectureTests;

/// <summary>
/// What one compiled assembly names outside itself, read from its metadata without loading it:
/// the assemblies it references and, for each, the types it names from it.
/// </summary>
internal sealed class CompiledAssembly
{
    private CompiledAssembly(string name, IReadOnlyList<string> references, IReadOnlyDictionary<string, IReadOnlyList<string>> typesByAssembly)
    {
        Name = name;
        References = references;
        TypesByAssembly = typesByAssembly;
    }

    public string Name { get; }

    /// <summary>The names of the assemblies it references.</summary>
    public IReadOnlyList<string> References { get; }

    /// <summary>For each referenced assembly, the full names of the types named from it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> TypesByAssembly { get; }

    /// <summary>The types named from any assembly whose name is <paramref name="assembly"/>'s.</summary>
    public IReadOnlyList<string> TypesFrom(string assembly) => TypesByAssembly.TryGetValue(assembly, out var types) ? types : [];

    /// <summary>Every type named, whichever assembly it comes from.</summary>
    public IEnumerable<string> AllTypes => TypesByAssembly.Values.SelectMany(t => t);

    public static CompiledAssembly Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToList();
        var types = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var handle in metadata.TypeReferences)
        {
            var type = metadata.GetTypeReference(handle);
            // A nested type's scope is its declaring type; the outermost one names the assembly.
            var scope = type.ResolutionScope;
            var nested = scope.Kind == HandleKind.TypeReference;
            var outer = type;
            while (scope.Kind == HandleKind.TypeReference)
            {
                outer = metadata.GetTypeReference((TypeReferenceHandle)scope);
                scope = outer.ResolutionScope;
            }

            if (scope.Kind != HandleKind.AssemblyReference)
            {
                continue;
            }

            var assembly = metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)scope).Name);
            var name = nested
                ? $"{metadata.GetString(outer.Namespace)}.{metadata.GetString(outer.Name)}+{metadata.GetString(type.Name)}"
                : $"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}";
            if (!types.TryGetValue(assembly, out var set))
            {
                types[assembly] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(name);
        }

        return new CompiledAssembly(metadata.GetString(metadata.GetAssemblyDefinition().Name), references,
            types.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value], StringComparer.Ordinal));
    }
}
