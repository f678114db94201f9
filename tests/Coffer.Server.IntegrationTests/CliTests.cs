using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>The <c>./coffer</c> command line: help, and exit codes scripts rely on (0 ok, 1 failure, 2 bad usage).</summary>
[Collection(ProcessCollection.Name)]
public class CliTests
{
    [Fact]
    public async Task Help_describes_the_server_command_and_every_option()
    {
        var root = await Repo.RunAsync(Repo.Launcher, ["--help"]);
        var server = await Repo.RunAsync(Repo.Launcher, ["server", "--help"]);

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
        var result = await Repo.RunAsync(Repo.Launcher, arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("coffer: ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Coffer listening", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_one_of_the_two_dev_key_variables_is_bad_usage()
    {
        var result = await Repo.RunAsync(Repo.Launcher, ["server", "--dev", "--listen", $"127.0.0.1:{Repo.FreePort()}"],
            new Dictionary<string, string> { ["COFFER_DEV_ACCESS_KEY_ID"] = "AKIAONLYTHEID0000000" });

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task A_port_already_in_use_exits_1()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-port-").FullName;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        var result = await Repo.RunAsync(Repo.Launcher, ["server", "--dev", "--data-dir", dataDir, "--listen", $"127.0.0.1:{port}"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("coffer: ", result.Stderr, StringComparison.Ordinal);
    }
}
