using System.Text;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The audit trail in its own SQLite file (<c>audit.db</c>), so its steady stream of appends never
/// waits on key writes. WAL mode: an <see cref="AppendAsync"/> that returned is on disk; the audit
/// writer's <see cref="AppendUnsyncedAsync"/> commits without a flush and <see cref="SyncAsync"/>
/// flushes the WAL after it, beside the next commit.
/// </summary>
public sealed class SqliteAuditStore : IAuditStore
{
    public const string FileName = "audit.db";
    private const string Columns =
        "seq, event_time_ms, event_id, event_name, event_source, account_id, principal_arn, user_name, access_key_id, error_code, source_ip, read_only, resources, json, hash";

    private readonly string _connectionString;
    private readonly string _path;

    public SqliteAuditStore(string path)
    {
        _path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public static SqliteAuditStore InDirectory(string dataDir) => new(Path.Combine(dataDir, FileName));

    public async ValueTask InitializeAsync(CancellationToken cancellationToken = default)
    {
        OwnerOnlyFiles.Prepare(_path);
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS events (
                seq           INTEGER PRIMARY KEY,
                event_time_ms INTEGER NOT NULL,
                event_id      TEXT NOT NULL,
                event_name    TEXT NOT NULL,
                event_source  TEXT NOT NULL,
                account_id    TEXT,
                principal_arn TEXT,
                user_name     TEXT,
                access_key_id TEXT,
                error_code    TEXT,
                source_ip     TEXT,
                read_only     INTEGER NOT NULL,
                resources     TEXT NOT NULL,
                json          TEXT NOT NULL,
                hash          BLOB NOT NULL
            );
            CREATE INDEX IF NOT EXISTS events_by_time ON events (event_time_ms);
            CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY CHECK (id = 1), at_ms INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS digests (
                seq        INTEGER PRIMARY KEY,
                created_ms INTEGER NOT NULL,
                json       TEXT NOT NULL,
                signature  BLOB NOT NULL
            );
            """, cancellationToken);
    }

    public async ValueTask<(long Sequence, byte[] Hash)?> LastAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <remarks>A SQLite trail has one writer process, so the head it chains on is always the stored one: <paramref name="rechain"/> is never needed.</remarks>
    public async ValueTask AppendAsync(
        IReadOnlyList<AuditRecord> records,
        CancellationToken cancellationToken = default,
        Func<(long Sequence, byte[] Hash), IReadOnlyList<AuditRecord>>? rechain = null)
    {
        await AppendUnsyncedAsync(records, cancellationToken, rechain);
        await SyncAsync(cancellationToken);
    }

    /// <remarks>
    /// The appending connection commits with <c>synchronous=NORMAL</c>: in WAL mode a commit then
    /// writes its frames to the WAL file without flushing it, and SQLite still flushes the WAL
    /// before every checkpoint and the database after it. <see cref="SyncAsync"/> flushes the WAL.
    /// </remarks>
    public async ValueTask AppendUnsyncedAsync(
        IReadOnlyList<AuditRecord> records,
        CancellationToken cancellationToken = default,
        Func<(long Sequence, byte[] Hash), IReadOnlyList<AuditRecord>>? rechain = null)
    {
        // Appends come from one writer loop, batch after batch: one connection and one prepared
        // INSERT serve them all, instead of a pooled connection's PRAGMA and a parse per event.
        await _appending.WaitAsync(cancellationToken);
        try
        {
            if (_appender is null)
            {
                _appender = await Appender.OpenAsync(this, cancellationToken);
                _walCommits = _appender.Wal;
            }

            try
            {
                await _appender.AppendAsync(records, cancellationToken);
            }
            catch
            {
                // Whatever went wrong, the next batch starts from a fresh connection.
                await _appender.DisposeAsync();
                _appender = null;
                throw;
            }

            if (_caughtUp)
            {
                // The checkpointer has copied the bulk of the WAL: copying the little committed since
                // lets the next commit start the WAL over from its beginning, so it stays small. When
                // it stops short (the checkpointer's next pass holds the checkpoint lock, or a reader
                // still uses old frames), the next few batches try again rather than leave the WAL
                // to grow until the checkpointer's next round.
                if (await _appender.TryCheckpointAsync(cancellationToken) || ++_catchUpTries >= MaxCatchUpTries)
                {
                    _caughtUp = false;
                    _catchUpTries = 0;
                }
            }
        }
        finally
        {
            _appending.Release();
        }
    }

    /// <summary>
    /// Flushes the WAL file to disk, which makes every transaction committed into it durable. It
    /// runs beside the next commit, not under the appending lock: a flush of an inode covers every
    /// write made to it before, and SQLite only overwrites frames a flushed checkpoint has copied.
    /// The file is opened afresh each time, as SQLite deletes and recreates it when the last
    /// connection closes; when it is absent, SQLite has checkpointed everything into the database
    /// file and flushed that first. SQLite takes no locks on the WAL file itself, so closing this
    /// handle releases none of SQLite's.
    /// </summary>
    public ValueTask SyncAsync(CancellationToken cancellationToken = default)
    {
        if (!_walCommits)
        {
            // The appender has not found the database in WAL mode: it commits with a flush (FULL).
            return ValueTask.CompletedTask;
        }

        try
        {
            using var wal = new FileStream(_path + "-wal", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            wal.Flush(flushToDisk: true);
        }
        catch (FileNotFoundException)
        {
            // Checkpointed into the database file and flushed there before SQLite removed the WAL.
        }

        RequestCheckpoint();
        return ValueTask.CompletedTask;
    }

    /// <summary>The least time between two checkpoints: each copies what the WAL gathered meanwhile.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _checkpointDue = new(0, 1);
    private readonly object _checkpointerLock = new();
    private Thread? _checkpointer;
    private volatile bool _closing;

    /// <summary>Set when the checkpointer has copied what the WAL held: the writer then checkpoints the rest itself, cheaply.</summary>
    private volatile bool _caughtUp;

    /// <summary>How many batches in a row the writer's catch-up stopped short; only the writer reads or writes it.</summary>
    private int _catchUpTries;

    /// <summary>How many batches try the catch-up before it waits for the checkpointer's next round.</summary>
    private const int MaxCatchUpTries = 16;

    /// <summary>
    /// Asks the checkpointer thread for a checkpoint. The appending connection does none itself
    /// (<c>wal_autocheckpoint=0</c>; the WAL file is cut back to 32 MiB when it starts over): a
    /// checkpoint copies a thousand pages into the database file
    /// and flushes it twice, several milliseconds in which no batch could be committed, so every
    /// request in flight waited for it; that was the latency's long tail. A passive checkpoint on
    /// another connection runs beside the writer instead.
    /// </summary>
    private void RequestCheckpoint()
    {
        if (_checkpointer is null)
        {
            lock (_checkpointerLock)
            {
                if (_checkpointer is null && !_closing)
                {
                    _checkpointer = new Thread(CheckpointLoop) { IsBackground = true, Name = "audit checkpoint" };
                    _checkpointer.Start();
                }
            }
        }

        if (_checkpointDue.CurrentCount == 0)
        {
            try
            {
                _checkpointDue.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already asked.
            }
        }
    }

    private void CheckpointLoop()
    {
        while (true)
        {
            _checkpointDue.Wait();
            if (_closing)
            {
                return;
            }

            try
            {
                using var connection = OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
                using var checkpoint = Command(connection, null, "PRAGMA wal_checkpoint(PASSIVE);");

                // Twice: the second pass copies what was committed during the first, so what is left
                // for the writer's own checkpoint, which holds up every request in flight, is small.
                checkpoint.ExecuteNonQuery();
                checkpoint.ExecuteNonQuery();
                _caughtUp = true;
            }
            catch (Exception)
            {
                // The WAL grows until the next checkpoint succeeds; the trail itself is unaffected.
            }

            Thread.Sleep(CheckpointInterval);
        }
    }

    private readonly SemaphoreSlim _appending = new(1, 1);
    private Appender? _appender;

    /// <summary>Whether the appender commits into a WAL without flushing it, so that <see cref="SyncAsync"/> must.</summary>
    private volatile bool _walCommits;

    private sealed class Appender(SqliteConnection connection, SqliteCommand insert, bool wal) : IAsyncDisposable
    {
        /// <summary>Whether its commits leave the WAL for <see cref="SyncAsync"/> to flush; otherwise they flush themselves.</summary>
        public bool Wal => wal;

        private static readonly string[] Parameters =
            ["$seq", "$time", "$id", "$name", "$source", "$account", "$principal", "$user", "$key", "$error", "$ip", "$ro", "$resources", "$json", "$hash"];

        public static async Task<Appender> OpenAsync(SqliteAuditStore store, CancellationToken cancellationToken)
        {
            var connection = await store.OpenAsync(cancellationToken);
            var wal = false;
            await using (var mode = Command(connection, null, "PRAGMA journal_mode;"))
            {
                // Only a WAL commit is safe to leave unflushed; in any other mode the connection keeps synchronous=FULL.
                if (await mode.ExecuteScalarAsync(cancellationToken) is string journal && journal.Equals("wal", StringComparison.OrdinalIgnoreCase))
                {
                    await ExecuteAsync(connection, null, "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=33554432;", cancellationToken);
                    wal = true;
                }
            }

            var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO events ({Columns}) VALUES ({string.Join(", ", Parameters)});";
            foreach (var name in Parameters)
            {
                insert.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            return new Appender(connection, insert, wal);
        }

        public async Task AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            insert.Transaction = tx;
            var values = insert.Parameters;
            foreach (var r in records)
            {
                values[0].Value = r.Sequence;
                values[1].Value = r.EventTime.ToUnixTimeMilliseconds();
                values[2].Value = r.EventId;
                values[3].Value = r.EventName;
                values[4].Value = r.EventSource;
                values[5].Value = (object?)r.AccountId ?? DBNull.Value;
                values[6].Value = (object?)r.PrincipalArn ?? DBNull.Value;
                values[7].Value = (object?)r.UserName ?? DBNull.Value;
                values[8].Value = (object?)r.AccessKeyId ?? DBNull.Value;
                values[9].Value = (object?)r.ErrorCode ?? DBNull.Value;
                values[10].Value = (object?)r.SourceIp ?? DBNull.Value;
                values[11].Value = r.ReadOnly ? 1 : 0;
                values[12].Value = r.Resources;
                values[13].Value = r.Json;
                values[14].Value = r.Hash;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
        }

        /// <summary>
        /// A passive checkpoint on the appending connection, which alone appends: once it has copied
        /// every frame, the next transaction writes the WAL from its start again. A reader still on
        /// old frames, or another checkpoint under way, makes it stop short, harmlessly; it never
        /// waits for either. Returns whether it copied every frame.
        /// </summary>
        public async Task<bool> TryCheckpointAsync(CancellationToken cancellationToken)
        {
            try
            {
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                await using var result = await checkpoint.ExecuteReaderAsync(cancellationToken);

                // One row: whether it was blocked, the frames in the WAL, and the frames copied.
                return await result.ReadAsync(cancellationToken)
                    && result.GetInt64(0) == 0
                    && result.GetInt64(1) == result.GetInt64(2);
            }
            catch (SqliteException)
            {
                // The commit stands; the next catch-up tries again.
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await insert.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    public async ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        var where = new StringBuilder("WHERE 1=1");
        var parameters = new List<(string, object?)>();
        void Add(string clause, string name, object? value)
        {
            if (value is not null)
            {
                where.Append(" AND ").Append(clause);
                parameters.Add((name, value));
            }
        }

        Add("event_time_ms >= $start", "$start", filter.Start?.ToUnixTimeMilliseconds());
        Add("event_time_ms <= $end", "$end", filter.End?.ToUnixTimeMilliseconds());
        Add("account_id = $account", "$account", filter.AccountId);
        Add("event_name = $name", "$name", filter.EventName);
        Add("event_source = $source", "$source", filter.EventSource);
        Add("(' ' || resources || ' ') LIKE $resource ESCAPE '\\'", "$resource", filter.Resource is null ? null : $"% {EscapeLike(filter.Resource)} %");
        Add("(principal_arn = $principal OR user_name = $principal)", "$principal", filter.Principal);
        Add("user_name = $user", "$user", filter.UserName);
        Add("access_key_id = $key", "$key", filter.AccessKeyId);
        Add("error_code = $error", "$error", filter.ErrorCode);
        Add("source_ip = $ip", "$ip", filter.SourceIp);
        Add("read_only = $ro", "$ro", filter.ReadOnly is null ? null : filter.ReadOnly.Value ? 1 : 0);
        Add("seq < $before", "$before", filter.BeforeSequence);
        Add("seq > $after", "$after", filter.AfterSequence);
        parameters.Add(("$limit", filter.Limit));

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            $"SELECT {Columns} FROM events {where} ORDER BY seq {(filter.NewestFirst ? "DESC" : "ASC")} LIMIT $limit;", parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new AuditRecord(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8), Text(reader, 9), Text(reader, 10), reader.GetInt64(11) != 0,
                reader.GetString(12), reader.GetString(13), (byte[])reader.GetValue(14)));
        }

        return records;
    }

    public async ValueTask AppendDigestAsync(AuditDigestRecord digest, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "INSERT INTO digests (seq, created_ms, json, signature) VALUES ($seq, $created, $json, $sig);", cancellationToken,
            ("$seq", digest.Sequence), ("$created", digest.CreatedAt.ToUnixTimeMilliseconds()), ("$json", digest.Json), ("$sig", digest.Signature));
    }

    public async ValueTask<IReadOnlyList<AuditDigestRecord>> ReadDigestsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT seq, created_ms, json, signature FROM digests ORDER BY seq;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var digests = new List<AuditDigestRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            digests.Add(new AuditDigestRecord(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), (byte[])reader.GetValue(3)));
        }

        return digests;
    }

    public async ValueTask ProbeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "INSERT INTO probe (id, at_ms) VALUES (1, $at) ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms;", cancellationToken,
            ("$at", Environment.TickCount64));
    }

    public async ValueTask DeleteThroughAsync(long sequence, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "DELETE FROM events WHERE seq <= $seq;", cancellationToken, ("$seq", sequence));
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        RequestCheckpoint();
        _checkpointer?.Join();
        await _appending.WaitAsync();
        try
        {
            if (_appender is not null)
            {
                await _appender.DisposeAsync();
                _appender = null;
            }
        }
        finally
        {
            _appending.Release();
        }

        SqliteConnection.ClearAllPools();
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string EscapeLike(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA synchronous=FULL;", cancellationToken);
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
