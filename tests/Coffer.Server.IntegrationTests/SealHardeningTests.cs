using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// The operator-facing hardening of the seal, with the real program: shares leave no text copy in
/// the server, never travel over plain HTTP to another host, data files are the owner's alone,
/// and a dev server is not exposed to the network by accident.
/// </summary>
[StartsEarly(7)]
public sealed class SealHardeningTests : IDisposable
{
    private const string SharePrefix = "coffer-share-v1:";
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _root = Directory.CreateTempSubdirectory("coffer-harden-").FullName;

    private string DataDir => Path.Combine(_root, "data");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A real <c>coffer init</c>, for the test of the modes it gives the files it writes.</summary>
    private async Task<(List<string> Shares, Dictionary<string, string> AdminEnv)> InitShamirAsync()
    {
        var init = await Repo.CofferAsync(["init", "--data-dir", DataDir, "--seal", "shamir", "--shares", "3", "--threshold", "2"]);
        Assert.True(init.ExitCode == 0, init.Stderr);
        var lines = init.Stdout.Split('\n');
        string Value(string label) => lines.Single(l => l.StartsWith(label, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        var shares = lines.Where(l => l.StartsWith("Share ", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1].Trim()).ToList();
        return (shares, new() { ["AWS_ACCESS_KEY_ID"] = Value("Admin access key id:"), ["AWS_SECRET_ACCESS_KEY"] = Value("Admin secret access key:") });
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunWithInputAsync(string[] args, string input, IDictionary<string, string>? env = null) =>
        Repo.CofferAsync(args, env, TimeSpan.FromSeconds(90), input + "\n");

    [Fact]
    public async Task Shares_given_to_a_server_leave_no_text_copy_in_its_memory()
    {
        var folder = await InitializedFolder.ShamirAsync(DataDir);
        var (shares, adminEnv) = (folder.Shares, new Dictionary<string, string>(folder.AdminEnvironment));
        await using var server = await CofferProcess.StartAsync(DataDir, dev: false);

        Assert.Equal(0, (await RunWithInputAsync(["unseal", "--address", server.Address.ToString()], shares[0])).ExitCode);
        Assert.Equal(0, (await RunWithInputAsync(["unseal", "--address", server.Address.ToString()], shares[1])).ExitCode);
        var rotated = await RunWithInputAsync(["rotate-domain-key", "--address", server.Address.ToString()], $"{shares[1]}\n{shares[2]}", adminEnv);
        Assert.True(rotated.ExitCode == 0, rotated.Stderr);

        // .NET strings are UTF-16: a share held as a string shows up in that form. The data folder's
        // path is a string the server certainly holds, so finding it proves the scan sees the heap.
        Assert.True(ProcessMemory.Contains(server.ProcessId, Encoding.Unicode.GetBytes(DataDir)), "the memory scan found nothing it should");
        foreach (var share in shares)
        {
            Assert.False(ProcessMemory.Contains(server.ProcessId, Encoding.Unicode.GetBytes(share[SharePrefix.Length..])), "a share is in the server's memory as text");
        }
    }

    [Fact]
    public async Task Shares_are_never_sent_over_plain_HTTP_to_another_host()
    {
        var address = NonLoopbackAddress();
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var url = $"http://{address?.ToString() ?? "203.0.113.1"}:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var share = SharePrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(37)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIANOBODY0000000000", ["AWS_SECRET_ACCESS_KEY"] = "x" };

        var unseal = await RunWithInputAsync(["unseal", "--address", url], share);
        var rotate = await RunWithInputAsync(["rotate-domain-key", "--address", url], share, env);

        foreach (var refused in new[] { unseal, rotate })
        {
            Assert.True(refused.ExitCode == 2, $"exit {refused.ExitCode}: {refused.Stderr}");
            CliOutput.AssertOneClearLine(refused.Stderr, "plain HTTP");
        }

        if (address is not null)
        {
            Assert.False(listener.Pending(), "the CLI connected to send a share over plain HTTP");
        }
    }

    [Fact]
    public async Task Data_files_are_the_owners_alone()
    {
        var devDir = Path.Combine(_root, "dev");
        await using (var server = await CofferProcess.StartAsync(devDir))
        {
            AssertOwnerOnly(devDir, ["coffer.db", "coffer.db-wal", "coffer.db-shm", "audit.db", "audit.db-wal", "audit.db-shm", "credentials", "dev-root.key"]);
        }

        var (shares, _) = await InitShamirAsync();
        AssertOwnerOnly(DataDir, ["coffer.db", "audit-public-key.pem"]);
        await using (var server = await CofferProcess.StartAsync(DataDir, dev: false))
        {
            await RunWithInputAsync(["unseal", "--address", server.Address.ToString()], shares[0]);
            Assert.Equal(0, (await RunWithInputAsync(["unseal", "--address", server.Address.ToString()], shares[1])).ExitCode);
            AssertOwnerOnly(DataDir, ["coffer.db", "coffer.db-wal", "coffer.db-shm", "audit.db", "audit.db-wal", "audit.db-shm", "audit-public-key.pem"]);
        }
    }

    [Fact]
    public async Task A_dev_server_listens_off_loopback_only_with_dev_allow_remote()
    {
        var port = Repo.FreePort();

        var refused = await Repo.CofferAsync(["server", "--dev", "--data-dir", DataDir, "--listen", $"0.0.0.0:{port}"], timeout: TimeSpan.FromSeconds(90));

        Assert.True(refused.ExitCode == 2, $"exit {refused.ExitCode}: {refused.Stderr}");
        CliOutput.AssertOneClearLine(refused.Stderr, "--dev-allow-remote");
        Assert.False(Directory.Exists(DataDir));
        var help = await Repo.CofferAsync(["server", "--help"]);
        Assert.Contains("--dev-allow-remote", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--pkcs11-library", help.Stdout, StringComparison.Ordinal);

        await using var server = await CofferProcess.StartAsync(DataDir, port: port,
            rawArguments: ["server", "--dev", "--dev-allow-remote", "--data-dir", DataDir, "--listen", $"0.0.0.0:{port}"]);
        Assert.Contains("Coffer listening on", server.Output, StringComparison.Ordinal);
    }

    private static void AssertOwnerOnly(string dir, string[] expected)
    {
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(dir));
        foreach (var name in expected)
        {
            Assert.True(File.Exists(Path.Combine(dir, name)), $"{name} is not in {dir}");
        }

        foreach (var file in Directory.GetFiles(dir))
        {
            var mode = File.GetUnixFileMode(file);
            Assert.True(mode == OwnerOnlyFile, $"{Path.GetFileName(file)} has mode {Convert.ToString((int)mode, 8)}");
        }
    }

    /// <summary>An address of this machine that is not loopback, so a listener here sees whatever the CLI would send to "another host".</summary>
    private static IPAddress? NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
