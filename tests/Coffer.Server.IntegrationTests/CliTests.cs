using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>The <c>./coffer</c> command line: help, and exit codes scripts rely on (0 ok, 1 failure, 2 bad usage).</summary>
[StartsEarly(10)]
public class CliTests
{
    [Fact]
    public async Task Help_describes_the_server_command_and_every_option()
    {
        var root = await Repo.LauncherAsync(["--help"]);
        var server = await Repo.LauncherAsync(["server", "--help"]);

        Assert.Equal(0, root.ExitCode);
        Assert.Contains("server", root.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, server.ExitCode);
        foreach (var option in new[] { "--dev", "--data-dir", "--listen", "--region", "--account-id" })
        {
            Assert.Contains(option, server.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("server")]
    [InlineData("server --dev --listen nonsense")]
    [InlineData("server --dev --account-id 12")]
    [InlineData("server --dev --region Mars")]
    [InlineData("server --dev --no-such-option")]
    public async Task Bad_usage_exits_2_with_one_clear_line_on_stderr(string arguments)
    {
        var result = await Repo.LauncherAsync(arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("coffer: ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Coffer listening", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_one_of_the_two_dev_key_variables_is_bad_usage()
    {
        var result = await Repo.LauncherAsync(["server", "--dev", "--listen", $"127.0.0.1:{Repo.FreePort()}"],
            new Dictionary<string, string> { ["COFFER_DEV_ACCESS_KEY_ID"] = "AKIAONLYTHEID0000000" });

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task Account_create_adds_an_account_to_a_running_server_once()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-account-").FullName;
        await using var server = await CofferProcess.StartAsync(dataDir);

        var created = await Repo.LauncherAsync(["account", "create", "--id", "444455556666", "--data-dir", dataDir]);
        var again = await Repo.LauncherAsync(["account", "create", "--id", "444455556666", "--data-dir", dataDir]);
        var bad = await Repo.LauncherAsync(["account", "create", "--id", "4444", "--data-dir", dataDir]);

        Assert.Equal(0, created.ExitCode);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal(2, bad.ExitCode);
        string Value(string label) => created.Stdout.Split('\n').Single(l => l.StartsWith(label, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        var kms = server.Kms(Value("Admin access key id:"), Value("Admin secret access key:"));
        var key = await kms.CreateKeyAsync(new Amazon.KeyManagementService.Model.CreateKeyRequest());
        Assert.StartsWith("arn:aws:kms:us-east-1:444455556666:key/", key.KeyMetadata.Arn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Account_create_on_a_folder_that_is_not_a_data_folder_exits_1()
    {
        var result = await Repo.LauncherAsync(["account", "create", "--id", "444455556666", "--data-dir", Directory.CreateTempSubdirectory("coffer-empty-").FullName]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not a Coffer dev data folder", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_already_in_use_exits_1()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-port-").FullName;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        var result = await Repo.LauncherAsync(["server", "--dev", "--data-dir", dataDir, "--listen", $"127.0.0.1:{port}"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("coffer: ", result.Stderr, StringComparison.Ordinal);
    }
}
