using System.Runtime.CompilerServices;
using Coffer.Storage.Copy;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// A whole SQLite store (<c>coffer.db</c> and <c>audit.db</c> in one data folder) as a copy source
/// or target. Both files are opened on one connection, the trail attached as <c>audit</c>.
/// </summary>
public static class SqliteStoreCopy
{
    private static readonly string[] Files = [SqliteStore.FileName, SqliteAuditStore.FileName];

    /// <summary>
    /// Opens a consistent read-only view of the store in <paramref name="dataDir"/>, which a running
    /// server may go on writing. One read transaction over both files: in WAL mode each file's
    /// snapshot is fixed when the transaction first reads it, and the records are read first, the
    /// trail a moment after, so every change the records show was made before the trail's snapshot.
    /// </summary>
    public static async Task<IStoreSnapshot> OpenSnapshotAsync(string dataDir, CancellationToken cancellationToken)
    {
        foreach (var file in Files)
        {
            if (!File.Exists(Path.Combine(dataDir, file)))
            {
                throw new IOException($"{dataDir} holds no Coffer store ({file} is missing).");
            }
        }

        var connection = await OpenAsync(dataDir, SqliteOpenMode.ReadOnly, cancellationToken);
        try
        {
            var tx = connection.BeginTransaction(deferred: true);
            // Each SELECT fixes one file's snapshot: the records first, then the trail.
            await ScalarAsync(connection, tx, "SELECT COUNT(*) FROM main.settings;", cancellationToken);
            await ScalarAsync(connection, tx, "SELECT COUNT(*) FROM audit.events;", cancellationToken);
            return new Snapshot(connection, tx);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Throws <see cref="StoreNotEmptyException"/> when <paramref name="dataDir"/> holds a store already (either file).</summary>
    public static void EnsureEmpty(string dataDir)
    {
        foreach (var file in Files)
        {
            if (File.Exists(Path.Combine(dataDir, file)))
            {
                throw new StoreNotEmptyException($"{dataDir} already holds a Coffer store ({file}); copy only into a folder without one.");
            }
        }
    }

    /// <summary>
    /// Creates a store in <paramref name="dataDir"/>, which must hold none, for a copy to fill. Both
    /// files are written in one transaction and, unless it commits, deleted again on dispose.
    /// </summary>
    public static async Task<IStoreCopyTarget> CreateTargetAsync(string dataDir, CancellationToken cancellationToken)
    {
        EnsureEmpty(dataDir);
        if (!Directory.Exists(dataDir))
        {
            Directory.CreateDirectory(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            await using (var store = SqliteStore.InDirectory(dataDir))
            {
                await store.InitializeAsync(cancellationToken);
            }

            await using (var audit = SqliteAuditStore.InDirectory(dataDir))
            {
                await audit.InitializeAsync(cancellationToken);
            }

            var connection = await OpenAsync(dataDir, SqliteOpenMode.ReadWrite, cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA foreign_keys=ON; PRAGMA main.synchronous=FULL; PRAGMA audit.synchronous=FULL;", cancellationToken);
            return new Target(dataDir, connection, connection.BeginTransaction());
        }
        catch
        {
            Remove(dataDir);
            throw;
        }
    }

    private static string Physical(CopyTable table) => table.Name switch
    {
        "audit_events" => "audit.events",
        "audit_digests" => "audit.digests",
        _ => $"main.{table.Name}",
    };

    private static async Task<SqliteConnection> OpenAsync(string dataDir, SqliteOpenMode mode, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDir, SqliteStore.FileName),
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "ATTACH DATABASE $path AS audit;", cancellationToken, ("$path", Path.Combine(dataDir, SqliteAuditStore.FileName)));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static void Remove(string dataDir)
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in Files)
        {
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            {
                File.Delete(Path.Combine(dataDir, file + suffix));
            }
        }
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed class Snapshot(SqliteConnection connection, SqliteTransaction tx) : IStoreSnapshot
    {
        public async IAsyncEnumerable<object?[]> ReadAsync(CopyTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            if (table.Name == StoreTables.ChainHead)
            {
                // SQLite keeps no head row: the trail's last event is its head.
                command.CommandText = "SELECT 1, MAX(seq) FROM audit.events HAVING MAX(seq) IS NOT NULL;";
            }
            else
            {
                command.CommandText = $"SELECT * FROM {Physical(table)} LIMIT 0;";
                await using (var probe = await command.ExecuteReaderAsync(cancellationToken))
                {
                    StoreCopy.CheckColumns(table, [.. Enumerable.Range(0, probe.FieldCount).Select(probe.GetName)]);
                }

                command.CommandText = $"SELECT {table.ColumnList} FROM {Physical(table)} ORDER BY {table.OrderBy};";
            }

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
        }
    }

    private sealed class Target(string dataDir, SqliteConnection connection, SqliteTransaction tx) : IStoreCopyTarget
    {
        private bool _committed;

        public async ValueTask<long> WriteAsync(CopyTable table, IAsyncEnumerable<object?[]> rows, CancellationToken cancellationToken)
        {
            if (table.Name == StoreTables.ChainHead)
            {
                // Read to its end all the same: a dump's next table follows it.
                await foreach (var _ in rows.WithCancellation(cancellationToken))
                {
                }

                return 0;
            }

            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText =
                $"INSERT INTO {Physical(table)} ({table.ColumnList}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"$p{i}"))});";
            foreach (var i in Enumerable.Range(0, table.Columns.Count))
            {
                insert.Parameters.Add(new SqliteParameter { ParameterName = $"$p{i}" });
            }

            long count = 0;
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                for (var i = 0; i < row.Length; i++)
                {
                    insert.Parameters[i].Value = row[i] switch
                    {
                        null => DBNull.Value,
                        bool flag => flag ? 1L : 0L,
                        var value => value,
                    };
                }

                await insert.ExecuteNonQueryAsync(cancellationToken);
                count++;
            }

            return count;
        }

        public async ValueTask CommitAsync(CancellationToken cancellationToken)
        {
            await tx.CommitAsync(cancellationToken);
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
            if (!_committed)
            {
                Remove(dataDir);
            }
        }
    }
}
