namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// A production data folder made by <c>coffer init</c>, with what init printed once: the shares and the admin's key.
/// Each kind of seal is initialised once per test run into a template; tests get copies, which is what
/// <c>init</c> would give them apart from fresh random keys, and saves a CLI run and its key generation per test.
/// </summary>
public sealed record InitializedFolder(string DataDir, string InitOutput, IReadOnlyList<string> Shares, string AdminAccessKeyId, string AdminSecretAccessKey)
{
    /// <summary>A Shamir seal with 3 shares, 2 of them needed to unseal.</summary>
    private static readonly Lazy<Task<InitializedFolder>> ShamirTemplate = new(() => InitAsync(["--seal", "shamir", "--shares", "3", "--threshold", "2"]));

    private static readonly Lazy<Task<InitializedFolder>> Pkcs11Template = new(() => InitAsync(
        ["--seal", "pkcs11", "--pkcs11-library", Pkcs11Token.Library, "--pkcs11-token-label", Pkcs11Token.Label, "--pkcs11-key-label", Pkcs11Token.TemplateKeyLabel],
        Pkcs11Token.PinEnvironment()));

    public IReadOnlyDictionary<string, string> AdminEnvironment => new Dictionary<string, string>
    {
        ["AWS_ACCESS_KEY_ID"] = AdminAccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = AdminSecretAccessKey,
    };

    /// <summary>A copy at <paramref name="dataDir"/> of the folder <c>coffer init --seal shamir --shares 3 --threshold 2</c> made.</summary>
    public static async Task<InitializedFolder> ShamirAsync(string dataDir) => (await ShamirTemplate.Value).CopyTo(dataDir);

    /// <summary>A copy at <paramref name="dataDir"/> of a folder sealed by the SoftHSM2 token's key <see cref="Pkcs11Token.TemplateKeyLabel"/>.</summary>
    public static async Task<InitializedFolder> Pkcs11Async(string dataDir) => (await Pkcs11Template.Value).CopyTo(dataDir);

    private InitializedFolder CopyTo(string dataDir)
    {
        Repo.CopyDataFolder(DataDir, dataDir);
        return this with { DataDir = dataDir };
    }

    private static async Task<InitializedFolder> InitAsync(string[] seal, IDictionary<string, string>? env = null)
    {
        var root = Directory.CreateTempSubdirectory("coffer-template-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(root);
        var dataDir = Path.Combine(root, "data");
        var init = await Repo.CofferAsync(["init", "--data-dir", dataDir, .. seal], env);
        Assert.True(init.ExitCode == 0, init.Stderr);
        var lines = init.Stdout.Split('\n');
        string Value(string label) => lines.Single(l => l.StartsWith(label, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        var shares = lines.Where(l => l.StartsWith("Share ", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1].Trim()).ToList();
        return new InitializedFolder(dataDir, init.Stdout, shares, Value("Admin access key id:"), Value("Admin secret access key:"));
    }

    private static void DeleteQuietly(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover template in /tmp is harmless; failing the test host at exit is not.
        }
    }
}

/// <summary>The SoftHSM2 token <c>scripts/test.sh</c> creates for the pkcs11 seal tests.</summary>
public static class Pkcs11Token
{
    public static string Library { get; } = Environment.GetEnvironmentVariable("COFFER_TEST_PKCS11_LIBRARY")
        ?? throw new InvalidOperationException("Run the tests with ./scripts/test.sh: it creates the SoftHSM2 token these tests use.");

    public static string Label { get; } = Environment.GetEnvironmentVariable("COFFER_TEST_PKCS11_TOKEN") ?? "coffer-test";

    public static string Pin { get; } = Environment.GetEnvironmentVariable("COFFER_TEST_PKCS11_PIN") ?? "1234";

    /// <summary>The root key the template folder is sealed by; a new one per test run, so runs never share one.</summary>
    public static string TemplateKeyLabel { get; } = $"root-{Guid.NewGuid():N}";

    public static Dictionary<string, string> PinEnvironment(bool withPin = true) => new() { ["COFFER_PKCS11_PIN"] = withPin ? Pin : "" };
}
