using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary><c>--storage</c> and <c>--postgres-connection</c>: one definition for <c>server</c> and every command that reads a store.</summary>
public class CliStorageTests
{
    [Theory]
    [InlineData("server --dev --storage mysql")]
    [InlineData("audit query --storage mysql")]
    [InlineData("audit verify --storage mysql")]
    [InlineData("audit export --storage mysql")]
    [InlineData("account create --id 444455556666 --storage mysql")]
    [InlineData("init --data-dir /nonexistent --seal shamir --storage mysql")]
    [InlineData("migrate --storage mysql")]
    [InlineData("rekey --data-dir /nonexistent --storage mysql")]
    public async Task An_engine_this_build_lacks_exits_2_naming_the_ones_it_has(string arguments)
    {
        var result = await Repo.CofferAsync(arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("coffer: --storage: 'mysql' is not a storage engine this build has; use sqlite or postgres.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_checks_an_engine_from_the_environment_too()
    {
        var result = await Repo.CofferAsync(["server", "--dev", "--listen", $"127.0.0.1:{Repo.FreePort()}"],
            new Dictionary<string, string> { ["COFFER_STORAGE"] = "mysql" });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("coffer: --storage: 'mysql'", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server --dev --storage postgres")]
    [InlineData("audit query --storage postgres")]
    [InlineData("audit verify --storage postgres")]
    [InlineData("audit export --storage postgres")]
    [InlineData("account create --id 444455556666 --storage postgres")]
    [InlineData("init --data-dir /nonexistent --seal shamir --storage postgres")]
    [InlineData("migrate --storage postgres")]
    [InlineData("rekey --data-dir /nonexistent --storage postgres")]
    public async Task Postgres_without_a_connection_string_exits_2_saying_where_it_comes_from(string arguments)
    {
        var result = await Repo.CofferAsync(arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("coffer: --storage postgres needs --postgres-connection or COFFER_POSTGRES_CONNECTION", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server --dev")]
    [InlineData("audit query")]
    [InlineData("account create --id 444455556666")]
    public async Task A_password_on_the_command_line_is_refused_before_anything_connects(string arguments)
    {
        var result = await Repo.CofferAsync([.. arguments.Split(' '), "--storage", "postgres", "--postgres-connection", "Host=127.0.0.1;Port=1;Password=hunter2"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--postgres-connection: the connection string holds a password", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server")]
    [InlineData("audit verify")]
    [InlineData("audit query")]
    [InlineData("audit export")]
    [InlineData("account create")]
    [InlineData("init")]
    [InlineData("migrate")]
    [InlineData("rekey")]
    public async Task Help_lists_the_storage_option(string command)
    {
        var result = await Repo.CofferAsync([.. command.Split(' '), "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--storage <ENGINE>", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--postgres-connection <CONNECTION>", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_query_names_a_folder_without_a_trail()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-no-trail-").FullName;

        var result = await Repo.CofferAsync(["audit", "query", "--storage", "sqlite", "--data-dir", dataDir]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"coffer: {dataDir} has no audit trail (audit.db).", result.Stderr.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(dataDir));
    }

    [Fact]
    public async Task Migrate_makes_an_empty_folder_a_store_and_is_idempotent()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-migrate-").FullName;

        var first = await Repo.CofferAsync(["migrate", "--data-dir", dataDir]);
        var again = await Repo.CofferAsync(["migrate", "--data-dir", dataDir]);

        Assert.Equal((0, 0), (first.ExitCode, again.ExitCode));
        Assert.Equal("coffer: the sqlite store's schema is up to date.", again.Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(dataDir, Storage.Sqlite.SqliteStore.FileName)));
        Assert.True(File.Exists(Path.Combine(dataDir, Storage.Sqlite.SqliteAuditStore.FileName)));
    }
}
