using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>
/// One PostgreSQL database as both stores use it: an <see cref="NpgsqlDataSource"/> (Npgsql's
/// pool) and the few command helpers every query goes through, so that all SQL is parameterised.
/// Thread-safe: each call takes its own pooled connection.
/// </summary>
/// <remarks>
/// The connection string need not hold a password, and operators are told not to put one there:
/// Npgsql takes it from <c>PGPASSWORD</c> or the pgpass file (<c>PGPASSFILE</c>, else
/// <c>~/.pgpass</c>) when the string has none.
/// </remarks>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    /// <summary>
    /// Advisory lock ids, in one place so that no two uses collide. The high half spells "COFR"
    /// (0x434F4652) so Coffer's locks are told apart from any other application's in
    /// <c>pg_locks</c>; the low half names the use.
    /// </summary>
    public const long MigrationLock = 0x434F_4652_0000_0001;

    /// <summary>Held (transaction-scoped) by every audit append, so nodes append to one chain in turn.</summary>
    public const long AuditChainLock = 0x434F_4652_0000_0002;

    /// <summary>Held (session-scoped, on a connection of its own) by the one node that runs the background jobs.</summary>
    public const long JobsLock = 0x434F_4652_0000_0003;

    /// <summary>
    /// The first half of the two-integer advisory locks (transaction-scoped) that serialise the named
    /// grants of one key, the second half being a hash of the key id. PostgreSQL keeps the two-integer
    /// locks apart from the single-bigint ones above, so they cannot collide with them.
    /// </summary>
    public const int GrantLockSpace = 0x434F_4652;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "coffer";
        }

        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Creates or upgrades the schema, once per database however many nodes start together.</summary>
    public async ValueTask MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await PostgresMigrations.RunAsync(connection, cancellationToken);
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, NpgsqlTransaction? tx = null,
        params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, tx, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, NpgsqlTransaction? tx = null,
        params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, tx, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>Whether the database holds a table of this name in the schema Coffer's connection uses.</summary>
    public async Task<bool> HasTableAsync(string table, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ScalarAsync(connection, "SELECT to_regclass(@table) IS NOT NULL;", cancellationToken, null, ("@table", table)) is true;
    }

    public static DateTimeOffset Time(NpgsqlDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static DateTimeOffset? OptionalTime(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);

    public static string? OptionalText(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? OptionalInt(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
