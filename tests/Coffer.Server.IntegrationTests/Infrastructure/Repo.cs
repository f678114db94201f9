using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>Paths in the repository and small process helpers for tests that run real programs.</summary>
public static class Repo
{
    private static readonly Lazy<Task> CliBuilt = new(BuildCliAsync);

    public static string Root { get; } = FindRoot();

    /// <summary>The <c>./coffer</c> launcher users run.</summary>
    public static string Launcher => Path.Combine(Root, "coffer");

    /// <summary>The CLI the launcher builds and runs; tests start it directly once it is built.</summary>
    public static string CliAssembly => Path.Combine(Root, ".build", "cli", "coffer.dll");

    /// <summary>Copies a stopped data folder: its files keep their modes (0600) and a new folder gets the original's (0700).</summary>
    public static void CopyDataFolder(string from, string to)
    {
        Directory.CreateDirectory(to, File.GetUnixFileMode(from));
        foreach (var file in Directory.GetFiles(from))
        {
            var copy = Path.Combine(to, Path.GetFileName(file));
            File.Copy(file, copy, overwrite: true);
            File.SetUnixFileMode(copy, File.GetUnixFileMode(file));
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The program and leading arguments that run the CLI: <c>dotnet .build/cli/coffer.dll</c>, built first through
    /// the launcher (once per test run), so each start skips the launcher's bash and its scan of src/.
    /// </summary>
    public static async Task<(string File, string[] Arguments)> CliAsync()
    {
        await CliBuilt.Value;
        return ("dotnet", [CliAssembly]);
    }

    /// <summary>
    /// Runs <c>./coffer</c> itself, as users do, to completion. It waits for the one build first, so that parallel
    /// tests never start two builds of the CLI at once when src/ changed.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> LauncherAsync(IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        await CliBuilt.Value;
        return await RunAsync(Launcher, args, env);
    }

    /// <summary>Runs the coffer CLI to completion, like <see cref="RunAsync"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> CofferAsync(IEnumerable<string> args, IDictionary<string, string>? env = null,
        TimeSpan? timeout = null, string? input = null)
    {
        var (file, leading) = await CliAsync();
        return await RunAsync(file, [.. leading, .. args], env, timeout, input);
    }

    /// <summary>
    /// Runs a program to completion (at most <paramref name="timeout"/>) and returns its exit code and output;
    /// <paramref name="input"/>, if any, is its whole standard input.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        TimeSpan? timeout = null, string? input = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited without reading all of its input; its exit code tells the test why.
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish in time.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Lets the launcher build the CLI if src/ changed since its last build (scripts/test.sh has already run it,
    /// so this is normally just its check), and fails every CLI test at once with its output if the build fails.
    /// </summary>
    private static async Task BuildCliAsync()
    {
        var built = await RunAsync(Launcher, ["--help"], timeout: TimeSpan.FromMinutes(5));
        if (built.ExitCode != 0 || !File.Exists(CliAssembly))
        {
            throw new InvalidOperationException($"./coffer --help failed ({built.ExitCode}):\n{built.Stderr}");
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coffer.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Coffer.sln) above the test binaries.");
    }
}
