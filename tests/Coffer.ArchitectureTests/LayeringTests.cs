using System.Reflection;

namespace Coffer.ArchitectureTests;

/// <summary>The layering of DESIGN.md, checked on the compiled assemblies.</summary>
public class LayeringTests
{
    private static Assembly Load(string name) => Assembly.Load(name);

    private static IEnumerable<string> References(string assembly) => Load(assembly).GetReferencedAssemblies().Select(a => a.Name!);

    [Theory]
    [InlineData("Coffer.Core")]
    [InlineData("Coffer.Storage")]
    [InlineData("Coffer.Storage.Sqlite")]
    [InlineData("Coffer.Service")]
    [InlineData("Coffer.Protocol")]
    [InlineData("Coffer.Server")]
    [InlineData("Coffer.Policy")]
    [InlineData("Coffer.Audit")]
    [InlineData("Coffer.Barrier")]
    public void Only_Coffer_Crypto_uses_System_Security_Cryptography(string assembly)
    {
        // The host may hold the TLS certificate Coffer.Crypto loaded, to hand it to Kestrel; nothing else.
        var allowed = assembly == "Coffer.Server" ? new[] { "System.Security.Cryptography.X509Certificates.X509Certificate2" } : [];
        Assert.Empty(CryptographyTypesUsedBy(assembly).Except(allowed));
    }

    private static IEnumerable<string> CryptographyTypesUsedBy(string assembly)
    {
        using var stream = File.OpenRead(Load(assembly).Location);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return metadata.TypeReferences
            .Select(handle => metadata.GetTypeReference(handle))
            .Select(type => $"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}")
            .Where(name => name.StartsWith("System.Security.Cryptography", StringComparison.Ordinal))
            .Distinct()
            .ToList();
    }

    [Fact]
    public void Coffer_Crypto_does_use_it()
    {
        Assert.Contains("System.Security.Cryptography", References("Coffer.Crypto"));
    }

    [Theory]
    [InlineData("Coffer.Core", "Coffer.Crypto", "Coffer.Storage", "Coffer.Service", "Coffer.Protocol", "Microsoft.AspNetCore.Http.Abstractions")]
    [InlineData("Coffer.Storage", "Coffer.Crypto", "Coffer.Service", "Coffer.Protocol", "Microsoft.AspNetCore.Http.Abstractions")]
    [InlineData("Coffer.Storage.Sqlite", "Coffer.Crypto", "Coffer.Service", "Coffer.Protocol", "Microsoft.AspNetCore.Http.Abstractions")]
    [InlineData("Coffer.Service", "Coffer.Protocol", "Coffer.Storage.Sqlite", "Microsoft.AspNetCore.Http.Abstractions")]
    [InlineData("Coffer.Protocol", "Coffer.Storage.Sqlite", "Microsoft.Data.Sqlite")]
    [InlineData("Coffer.Policy", "Coffer.Crypto", "Coffer.Storage", "Coffer.Service", "Coffer.Core", "Microsoft.AspNetCore.Http.Abstractions")]
    [InlineData("Coffer.Audit", "Coffer.Service", "Coffer.Protocol", "Coffer.Storage.Sqlite", "Microsoft.AspNetCore.Http.Abstractions")]
    [InlineData("Coffer.Barrier", "Coffer.Service", "Coffer.Protocol", "Coffer.Policy", "Coffer.Audit", "Coffer.Storage.Sqlite", "Microsoft.AspNetCore.Http.Abstractions")]
    [InlineData("Coffer.Crypto", "Coffer.Barrier", "Coffer.Storage", "Coffer.Service", "Pkcs11Interop")]
    public void A_layer_does_not_reach_into_the_layers_it_must_not_know(string assembly, params string[] forbidden)
    {
        var references = References(assembly).ToHashSet();
        foreach (var name in forbidden)
        {
            Assert.DoesNotContain(name, references);
        }
    }

    [Fact]
    public void Every_operation_lives_in_its_own_file_named_after_it()
    {
        var operations = Load("Coffer.Service").GetTypes()
            .Where(t => t is { IsAbstract: false, BaseType.IsGenericType: true, Namespace: "Coffer.Service.Operations" }
                && t.BaseType.GetGenericTypeDefinition().Name.StartsWith("Operation`", StringComparison.Ordinal))
            .Select(t => t.Name)
            .ToList();
        var root = FindRoot();
        var files = Directory.GetFiles(Path.Combine(root, "src", "Coffer.Service", "Operations"), "*.cs").Select(Path.GetFileNameWithoutExtension).ToHashSet();

        Assert.NotEmpty(operations);
        Assert.All(operations, name => Assert.Contains(name, files));
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coffer.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }
}
