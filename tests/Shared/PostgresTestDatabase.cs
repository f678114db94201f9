using Npgsql;

namespace Coffer.Testing;

/// <summary>
/// A throwaway PostgreSQL database for one test class or one test server, made on the server that
/// <c>COFFER_TEST_POSTGRES</c> names (scripts/test.sh starts one) and dropped after the class.
/// Without that variable the tests fail, saying so: an engine that is never tested is not skipped
/// quietly. The role needs CREATEDB, never superuser, as Coffer itself does.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    public const string Variable = "COFFER_TEST_POSTGRES";

    private string? _adminConnection;
    private string? _name;

    /// <summary>The connection string of this class's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set, so the tests on PostgreSQL cannot run. Run ./scripts/test.sh, which starts a throwaway PostgreSQL, or set {Variable} "
                + "to a connection string for a role with CREATEDB (e.g. Host=127.0.0.1;Port=55432;Username=coffer_test), its password in PGPASSWORD or PGPASSFILE.");
        }

        var admin = new NpgsqlConnectionStringBuilder(server) { Pooling = false };
        admin.Database ??= "postgres";
        _adminConnection = admin.ConnectionString;
        _name = $"coffer_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_adminConnection))
        {
            await connection.OpenAsync();
            // A generated name of letters, digits and underscores: nothing to quote or inject.
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_name};", connection);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _name }.ConnectionString;
    }

    /// <summary>
    /// Empties every table but the migration record, so that each test of a class starts from an
    /// empty store, as each SQLite test does with a file of its own, without a database per test.
    /// </summary>
    public async Task EmptyAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var truncate = new NpgsqlCommand(
            """
            DO $$
            DECLARE tables text;
            BEGIN
                SELECT string_agg(quote_ident(tablename), ', ') INTO tables FROM pg_tables
                WHERE schemaname = current_schema() AND tablename <> 'schema_migrations';
                IF tables IS NOT NULL THEN
                    EXECUTE 'TRUNCATE ' || tables;
                END IF;
            END $$;
            """, connection);
        await truncate.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_name is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        // FORCE ends the sessions still on the database but may not end an autovacuum worker (it runs
        // as no role this one is a member of), which a test that wrote many rows can wake: then a
        // plain DROP, which stops autovacuum itself. Either waits only a few seconds for sessions to
        // go, and on a busy two-core machine a killed server's backends can take longer: try again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_adminConnection);
                await connection.OpenAsync();
                try
                {
                    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE);", connection);
                    await drop.ExecuteNonQueryAsync();
                }
                catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                {
                    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name};", connection);
                    await drop.ExecuteNonQueryAsync();
                }

                return;
            }
            catch (PostgresException error) when (attempt < 6)
            {
                Console.Error.WriteLine($"Dropping the test database {_name} failed ({error.SqlState}: {error.MessageText}); trying again.");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }
}
