using System.Runtime.CompilerServices;
using Coffer.Storage.Copy;
using Npgsql;
using NpgsqlTypes;
using static Coffer.Storage.Postgres.PostgresDatabase;

namespace Coffer.Storage.Postgres;

/// <summary>A whole PostgreSQL store (records and <c>audit_*</c> tables in one database) as a copy source or target.</summary>
public static class PostgresStoreCopy
{
    // Rows sent per round trip when filling a target: enough to stop latency dominating, few enough to stay small in memory.
    private const int BatchRows = 500;

    /// <summary>
    /// Opens a consistent read-only view of the database, which running nodes may go on writing:
    /// one REPEATABLE READ READ ONLY transaction, so every table is read as of one instant, the
    /// records and the trail alike.
    /// </summary>
    public static async Task<IStoreSnapshot> OpenSnapshotAsync(string connectionString, CancellationToken cancellationToken)
    {
        var db = new PostgresDatabase(connectionString);
        try
        {
            if (!await db.HasTableAsync("settings", cancellationToken) || !await db.HasTableAsync("audit_events", cancellationToken))
            {
                throw new IOException($"The PostgreSQL database ({PostgresConnection.Describe(connectionString)}) holds no Coffer store.");
            }

            var connection = await db.OpenAsync(cancellationToken);
            var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            await ExecuteAsync(connection, "SET TRANSACTION READ ONLY;", cancellationToken, tx);
            return new Snapshot(db, connection, tx);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>Throws <see cref="StoreNotEmptyException"/> when any of Coffer's tables in the database holds a row.</summary>
    public static async Task EnsureEmptyAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var db = new PostgresDatabase(connectionString);
        await EnsureEmptyAsync(db, connectionString, cancellationToken);
    }

    /// <summary>
    /// Migrates the database's schema and, when it holds no rows, opens one transaction to fill it;
    /// unless that commits, nothing but the empty schema stays.
    /// </summary>
    public static async Task<IStoreCopyTarget> CreateTargetAsync(string connectionString, CancellationToken cancellationToken)
    {
        var db = new PostgresDatabase(connectionString);
        try
        {
            await EnsureEmptyAsync(db, connectionString, cancellationToken);
            await db.MigrateAsync(cancellationToken);
            var connection = await db.OpenAsync(cancellationToken);
            var tx = await connection.BeginTransactionAsync(cancellationToken);
            return new Target(db, connection, tx);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private static async Task EnsureEmptyAsync(PostgresDatabase db, string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        foreach (var table in StoreTables.All)
        {
            // A table name from StoreTables, never from input.
            if (await ScalarAsync(connection, "SELECT to_regclass(@table) IS NOT NULL;", cancellationToken, null, ("@table", table.Name)) is true
                && await ScalarAsync(connection, $"SELECT EXISTS (SELECT 1 FROM {table.Name});", cancellationToken) is true)
            {
                throw new StoreNotEmptyException(
                    $"The PostgreSQL database ({PostgresConnection.Describe(connectionString)}) already holds Coffer data (table {table.Name}); copy only into an empty database.");
            }
        }
    }

    private sealed class Snapshot(PostgresDatabase db, NpgsqlConnection connection, NpgsqlTransaction tx) : IStoreSnapshot
    {
        public async IAsyncEnumerable<object?[]> ReadAsync(CopyTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using (var probe = Command(connection, $"SELECT * FROM {table.Name} LIMIT 0;", tx))
            await using (var columns = await probe.ExecuteReaderAsync(cancellationToken))
            {
                StoreCopy.CheckColumns(table, [.. Enumerable.Range(0, columns.FieldCount).Select(columns.GetName)]);
            }

            await using var command = Command(connection, $"SELECT {table.ColumnList} FROM {table.Name} ORDER BY {table.OrderBy};", tx);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return StoreCopy.ReadRow(reader, table);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
            await db.DisposeAsync();
        }
    }

    private sealed class Target(PostgresDatabase db, NpgsqlConnection connection, NpgsqlTransaction tx) : IStoreCopyTarget
    {
        public async ValueTask<long> WriteAsync(CopyTable table, IAsyncEnumerable<object?[]> rows, CancellationToken cancellationToken)
        {
            var sql = $"INSERT INTO {table.Name} ({table.ColumnList}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"${i + 1}"))})";
            long count = 0;
            var batch = new NpgsqlBatch(connection, tx);
            try
            {
                await foreach (var row in rows.WithCancellation(cancellationToken))
                {
                    var insert = new NpgsqlBatchCommand(sql);
                    for (var i = 0; i < row.Length; i++)
                    {
                        // Typed, so that a null binds as its column's type; a bigint value goes into an integer column by assignment cast.
                        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = DbType(table.Columns[i].Type), Value = row[i] ?? DBNull.Value });
                    }

                    batch.BatchCommands.Add(insert);
                    count++;
                    if (batch.BatchCommands.Count == BatchRows)
                    {
                        await batch.ExecuteNonQueryAsync(cancellationToken);
                        await batch.DisposeAsync();
                        batch = new NpgsqlBatch(connection, tx);
                    }
                }

                if (batch.BatchCommands.Count > 0)
                {
                    await batch.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            finally
            {
                await batch.DisposeAsync();
            }

            return count;
        }

        private static NpgsqlDbType DbType(ColumnType type) => type switch
        {
            ColumnType.Text => NpgsqlDbType.Text,
            ColumnType.Integer => NpgsqlDbType.Bigint,
            ColumnType.Blob => NpgsqlDbType.Bytea,
            ColumnType.Boolean => NpgsqlDbType.Boolean,
            _ => throw new InvalidOperationException($"Column type {type} is not written."),
        };

        public async ValueTask CommitAsync(CancellationToken cancellationToken) => await tx.CommitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
            await db.DisposeAsync();
        }
    }
}
