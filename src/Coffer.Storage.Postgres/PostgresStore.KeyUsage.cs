using static Coffer.Storage.Postgres.PostgresDatabase;

namespace Coffer.Storage.Postgres;

/// <summary>Keys' last uses (GetKeyLastUsage), one row per key.</summary>
public sealed partial class PostgresStore
{
    // The EXISTS skips a key deleted since its use (its foreign key would fail the whole batch), and
    // its share lock keeps a racing delete from removing the key between the check and the insert.
    // The upsert's WHERE keeps a later use already stored.
    private const string SaveLastUseSql =
        """
        INSERT INTO key_last_usage (key_id, operation, used_ms, event_id, request_id)
        SELECT @id, @operation, @used, @event, @request WHERE EXISTS (SELECT 1 FROM keys WHERE key_id = @id FOR KEY SHARE)
        ON CONFLICT (key_id) DO UPDATE SET operation = excluded.operation, used_ms = excluded.used_ms, event_id = excluded.event_id,
            request_id = excluded.request_id
        WHERE excluded.used_ms >= key_last_usage.used_ms;
        """;

    public async ValueTask<KeyLastUse?> FindKeyLastUseAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT operation, used_ms, event_id, request_id FROM key_last_usage WHERE key_id = @id;", null,
            ("@id", keyId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new KeyLastUse(keyId, reader.GetString(0), Time(reader, 1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    public async ValueTask SaveKeyLastUsesAsync(IReadOnlyCollection<KeyLastUse> uses, CancellationToken cancellationToken = default)
    {
        if (uses.Count == 0)
        {
            return;
        }

        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // One prepared statement for the whole batch, its parameters rebound per key. In key order:
        // each node flushes its own batch, and rows locked in one order everywhere cannot deadlock.
        await using var command = Command(connection, SaveLastUseSql, tx, ("@id", ""), ("@operation", ""), ("@used", 0L), ("@event", ""), ("@request", ""));
        foreach (var use in uses.OrderBy(u => u.KeyId, StringComparer.Ordinal))
        {
            command.Parameters["@id"].Value = use.KeyId;
            command.Parameters["@operation"].Value = use.Operation;
            command.Parameters["@used"].Value = use.Timestamp.ToUnixTimeMilliseconds();
            command.Parameters["@event"].Value = use.CloudTrailEventId;
            command.Parameters["@request"].Value = use.KmsRequestId;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }
}
