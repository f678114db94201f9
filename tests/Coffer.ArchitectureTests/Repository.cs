using System.Text.RegularExpressions;

namespace Coffer.ArchitectureTests;

/// <summary>The repository the tests run in, and the assemblies its src/ projects compile to.</summary>
internal static partial class Repository
{
    private static readonly Lazy<string> FoundRoot = new(FindRoot);

    public static string Root => FoundRoot.Value;

    /// <summary>Every project folder under src/, as the file names them (<c>src/Coffer.Core</c>).</summary>
    public static IReadOnlyList<string> ProjectFolders() => Directory.GetDirectories(Path.Combine(Root, "src"))
        .Where(dir => Directory.GetFiles(dir, "*.csproj").Length > 0)
        .Select(dir => "src/" + Path.GetFileName(dir))
        .Order(StringComparer.Ordinal)
        .ToList();

    public static bool Exists(string folder) => Directory.Exists(Path.Combine(Root, folder));

    /// <summary>
    /// The assembly a project folder compiles to: its <c>AssemblyName</c> (the CLI's is <c>coffer</c>)
    /// or the folder's name. The test project references every src/ project, so the file sits beside the tests.
    /// </summary>
    public static CompiledAssembly Assembly(string folder)
    {
        var project = Directory.GetFiles(Path.Combine(Root, folder), "*.csproj").Single();
        var name = AssemblyName().Match(File.ReadAllText(project)) is { Success: true } m ? m.Groups[1].Value : Path.GetFileName(folder);
        var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        return File.Exists(path)
            ? CompiledAssembly.Read(path)
            : throw new FileNotFoundException($"{folder} compiles to {name}.dll, which is not beside the architecture tests: does Coffer.ArchitectureTests.csproj still reference every src/ project?", path);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coffer.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException($"No Coffer.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyName();
}
