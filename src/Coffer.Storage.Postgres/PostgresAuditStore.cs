using System.Text;
using static Coffer.Storage.Postgres.PostgresDatabase;

namespace Coffer.Storage.Postgres;

/// <summary>
/// The audit trail in the same PostgreSQL database as the records (tables <c>audit_*</c>), shared
/// by every node. An append is one transaction that first takes a transaction-scoped advisory lock
/// and checks that its first event follows the chain's head (<c>audit_chain_head</c>): appends from
/// several nodes are serialised. An append computed from a head that another node has moved on
/// from is chained again on the stored head inside the same transaction (or, when the caller gave
/// no way to do that, refused with <see cref="AuditChainConflictException"/>), so the chain never
/// forks. The sequence's primary key is the second guard.
/// </summary>
public sealed class PostgresAuditStore : IAuditStore
{
    private const string Columns =
        "seq, event_time_ms, event_id, event_name, event_source, account_id, principal_arn, user_name, access_key_id, error_code, source_ip, read_only, resources, json, hash";

    private readonly PostgresDatabase _db;

    public PostgresAuditStore(string connectionString) => _db = new PostgresDatabase(connectionString);

    /// <summary>Whether the database holds Coffer's audit tables (a trail may be empty and still exist, as an empty <c>audit.db</c> does).</summary>
    public static async Task<bool> ExistsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var db = new PostgresDatabase(connectionString);
        return await db.HasTableAsync("audit_events", cancellationToken);
    }

    public ValueTask InitializeAsync(CancellationToken cancellationToken = default) => _db.MigrateAsync(cancellationToken);

    public async ValueTask<(long Sequence, byte[] Hash)?> LastAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1;", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), (byte[])reader.GetValue(1)) : null;
    }

    public async ValueTask AppendAsync(
        IReadOnlyList<AuditRecord> records,
        CancellationToken cancellationToken = default,
        Func<(long Sequence, byte[] Hash), IReadOnlyList<AuditRecord>>? rechain = null)
    {
        if (records.Count == 0)
        {
            return;
        }

        try
        {
            await AppendChainedAsync(records, rechain, cancellationToken);
        }
        catch (Npgsql.PostgresException error) when (error.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation)
        {
            // The sequence's primary key caught what the head check could not (a trail whose head row is absent).
            throw new AuditChainConflictException($"Audit event {records[0].Sequence} is in the trail already; another writer appended meanwhile.", error);
        }
    }

    private async Task AppendChainedAsync(
        IReadOnlyList<AuditRecord> records,
        Func<(long Sequence, byte[] Hash), IReadOnlyList<AuditRecord>>? rechain,
        CancellationToken cancellationToken)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@lock);", cancellationToken, tx, ("@lock", AuditChainLock));
        var head = (long?)await ScalarAsync(connection, "SELECT last_seq FROM audit_chain_head WHERE id = 1;", cancellationToken, tx);
        if (head is { } at && records[0].Sequence != at + 1 && rechain is not null
            && await ScalarAsync(connection, "SELECT hash FROM audit_events WHERE seq = @seq;", cancellationToken, tx, ("@seq", at)) is byte[] headHash)
        {
            // Another node appended since this one last read the head. Chaining again here, under
            // the lock, always succeeds: refusing and retrying would let a node with a steady stream
            // of batches win the lock every time and starve this one.
            records = rechain((at, headHash));
        }

        for (var i = 0; i < records.Count; i++)
        {
            var expected = i == 0 ? head + 1 : records[i - 1].Sequence + 1;
            if (expected is { } next && records[i].Sequence != next)
            {
                throw new AuditChainConflictException(
                    $"Audit event {records[i].Sequence} does not follow the trail's head at {head}; another writer appended meanwhile.");
            }
        }

        // One statement for the whole batch and the head: the chain's lock is held for as few round
        // trips as possible, since every node's appends wait on it.
        var count = records.Count;
        var (seq, time, ids, names, sources) = (new long[count], new long[count], new string[count], new string[count], new string[count]);
        var (accounts, principals, users, keys, errors, ips) = (new string?[count], new string?[count], new string?[count], new string?[count], new string?[count], new string?[count]);
        var (readOnly, resources, json, hashes) = (new bool[count], new string[count], new string[count], new byte[count][]);
        for (var i = 0; i < count; i++)
        {
            var r = records[i];
            (seq[i], time[i], ids[i], names[i], sources[i]) = (r.Sequence, r.EventTime.ToUnixTimeMilliseconds(), r.EventId, r.EventName, r.EventSource);
            (accounts[i], principals[i], users[i], keys[i], errors[i], ips[i]) = (r.AccountId, r.PrincipalArn, r.UserName, r.AccessKeyId, r.ErrorCode, r.SourceIp);
            (readOnly[i], resources[i], json[i], hashes[i]) = (r.ReadOnly, r.Resources, r.Json, r.Hash);
        }

        await ExecuteAsync(connection,
            $"""
            WITH appended AS (
                INSERT INTO audit_events ({Columns})
                SELECT * FROM unnest(@seq::bigint[], @time::bigint[], @id::text[], @name::text[], @source::text[], @account::text[], @principal::text[],
                    @user::text[], @key::text[], @error::text[], @ip::text[], @ro::boolean[], @resources::text[], @json::text[], @hash::bytea[]))
            INSERT INTO audit_chain_head (id, last_seq) VALUES (1, @last) ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq;
            """,
            cancellationToken, tx, ("@seq", seq), ("@time", time), ("@id", ids), ("@name", names), ("@source", sources), ("@account", accounts),
            ("@principal", principals), ("@user", users), ("@key", keys), ("@error", errors), ("@ip", ips), ("@ro", readOnly), ("@resources", resources),
            ("@json", json), ("@hash", hashes), ("@last", records[^1].Sequence));
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        var where = new StringBuilder("WHERE TRUE");
        var parameters = new List<(string, object?)>();
        void Add(string clause, string name, object? value)
        {
            if (value is not null)
            {
                where.Append(" AND ").Append(clause);
                parameters.Add((name, value));
            }
        }

        Add("event_time_ms >= @start", "@start", filter.Start?.ToUnixTimeMilliseconds());
        Add("event_time_ms <= @end", "@end", filter.End?.ToUnixTimeMilliseconds());
        Add("account_id = @account", "@account", filter.AccountId);
        Add("event_name = @name", "@name", filter.EventName);
        Add("event_source = @source", "@source", filter.EventSource);
        Add("(' ' || resources || ' ') LIKE @resource ESCAPE '\\'", "@resource", filter.Resource is null ? null : $"% {EscapeLike(filter.Resource)} %");
        Add("(principal_arn = @principal OR user_name = @principal)", "@principal", filter.Principal);
        Add("user_name = @user", "@user", filter.UserName);
        Add("access_key_id = @key", "@key", filter.AccessKeyId);
        Add("error_code = @error", "@error", filter.ErrorCode);
        Add("source_ip = @ip", "@ip", filter.SourceIp);
        Add("read_only = @ro", "@ro", filter.ReadOnly);
        Add("seq < @before", "@before", filter.BeforeSequence);
        Add("seq > @after", "@after", filter.AfterSequence);
        parameters.Add(("@limit", filter.Limit));

        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT {Columns} FROM audit_events {where} ORDER BY seq {(filter.NewestFirst ? "DESC" : "ASC")} LIMIT @limit;", null, parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new AuditRecord(reader.GetInt64(0), Time(reader, 1), reader.GetString(2), reader.GetString(3), reader.GetString(4), OptionalText(reader, 5),
                OptionalText(reader, 6), OptionalText(reader, 7), OptionalText(reader, 8), OptionalText(reader, 9), OptionalText(reader, 10), reader.GetBoolean(11),
                reader.GetString(12), reader.GetString(13), (byte[])reader.GetValue(14)));
        }

        return records;
    }

    public async ValueTask AppendDigestAsync(AuditDigestRecord digest, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, "INSERT INTO audit_digests (seq, created_ms, json, signature) VALUES (@seq, @created, @json, @sig);", cancellationToken, null,
                ("@seq", digest.Sequence), ("@created", digest.CreatedAt.ToUnixTimeMilliseconds()), ("@json", digest.Json), ("@sig", digest.Signature));
        }
        catch (Npgsql.PostgresException error) when (error.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation)
        {
            throw new AuditChainConflictException($"Audit digest {digest.Sequence} exists already; another node wrote it first.", error);
        }
    }

    public async ValueTask<IReadOnlyList<AuditDigestRecord>> ReadDigestsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT seq, created_ms, json, signature FROM audit_digests ORDER BY seq;", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var digests = new List<AuditDigestRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            digests.Add(new AuditDigestRecord(reader.GetInt64(0), Time(reader, 1), reader.GetString(2), (byte[])reader.GetValue(3)));
        }

        return digests;
    }

    public async ValueTask ProbeAsync(CancellationToken cancellationToken = default)
    {
        // A committed write, as an append is: it fails when the database refuses writes (a read-only
        // standby after a failover, a full disk, a lost connection).
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "INSERT INTO audit_probe (id, at_ms) VALUES (1, @at) ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms;", cancellationToken,
            null, ("@at", Environment.TickCount64));
    }

    public async ValueTask DeleteThroughAsync(long sequence, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "DELETE FROM audit_events WHERE seq <= @seq;", cancellationToken, null, ("@seq", sequence));
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
