using Coffer.Core;
using Npgsql;
using static Coffer.Storage.Postgres.PostgresDatabase;

namespace Coffer.Storage.Postgres;

/// <summary>
/// <see cref="ICofferStore"/> on a PostgreSQL database that several Coffer nodes may share.
/// Every conditional write of the contract is one statement whose <c>WHERE</c> is the condition
/// (compare-and-set): under READ COMMITTED, PostgreSQL re-checks it on the row it locks, so of two
/// nodes racing, one changes the row and the other's statement matches nothing and reports
/// false, exactly as SQLite's serialised writers do. Durability is PostgreSQL's: a commit that
/// returned is in its WAL (with the server's <c>synchronous_commit</c>, on by default).
/// </summary>
public sealed partial class PostgresStore : ICofferStore
{
    private const string KeyColumns =
        "key_id, account_id, region, created_ms, description, state, deletion_ms, pending_window_days, key_spec, key_usage, origin, key_manager, current_version, "
        + "rotation_period_days, next_rotation_ms, on_demand_rotations, expiration_model, valid_to_ms, imported_material_id";
    private const string KeyValues =
        "@id, @account, @region, @created, @description, @state, @deletion, @window, @spec, @usage, @origin, @manager, @version, @period, @next_rotation, @on_demand, "
        + "@expiration, @valid_to, @imported_id";

    private readonly PostgresDatabase _db;

    /// <param name="connectionString">An Npgsql connection string, best without a password (see <see cref="PostgresDatabase"/>).</param>
    public PostgresStore(string connectionString) => _db = new PostgresDatabase(connectionString);

    /// <summary>Whether the database holds an initialised Coffer store: migrated, with at least one setting (the domain key is the first).</summary>
    public static async Task<bool> ExistsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var db = new PostgresDatabase(connectionString);
        if (!await db.HasTableAsync("settings", cancellationToken))
        {
            return false;
        }

        await using var connection = await db.OpenAsync(cancellationToken);
        return await ScalarAsync(connection, "SELECT EXISTS (SELECT 1 FROM settings);", cancellationToken) is true;
    }

    public ValueTask InitializeAsync(CancellationToken cancellationToken = default) => _db.MigrateAsync(cancellationToken);

    public async ValueTask<byte[]?> GetSettingAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return (byte[]?)await ScalarAsync(connection, "SELECT value FROM settings WHERE name = @name;", cancellationToken, null, ("@name", name));
    }

    public async ValueTask<bool> TryInsertSettingAsync(string name, byte[] value, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        var rows = await ExecuteAsync(connection, "INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT DO NOTHING;", cancellationToken, null,
            ("@name", name), ("@value", value));
        return rows == 1;
    }

    public async ValueTask ReplaceSettingsAsync(IReadOnlyDictionary<string, byte[]?> settings, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (name, value) in settings)
        {
            await ExecuteAsync(connection,
                value is null
                    ? "DELETE FROM settings WHERE name = @name;"
                    : "INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO UPDATE SET value = excluded.value;",
                cancellationToken, tx, ("@name", name), ("@value", value));
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask InsertKeyAsync(KmsKey key, string keyPolicy, IReadOnlyList<KmsTag> tags, StoredMaterial? material, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"INSERT INTO keys ({KeyColumns}) VALUES ({KeyValues});", cancellationToken, tx, KeyParameters(key));
        if (material is not null)
        {
            await InsertMaterialAsync(connection, tx, material, cancellationToken);
        }

        await ExecuteAsync(connection, "INSERT INTO key_policies (key_id, document) VALUES (@id, @document);", cancellationToken, tx,
            ("@id", key.KeyId), ("@document", keyPolicy));
        await InsertTagsAsync(connection, tx, key.KeyId, tags, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask<KmsKey?> FindKeyAsync(string region, string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        var keys = await QueryKeysAsync(connection, $"SELECT {KeyColumns} FROM keys WHERE key_id = @id AND region = @region;", cancellationToken,
            ("@id", keyId), ("@region", region));
        return keys.Count == 0 ? null : keys[0];
    }

    public async ValueTask<bool> UpdateKeyAsync(KmsKey key, KmsKey expected, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection,
            "UPDATE keys SET description = @description, state = @state, deletion_ms = @deletion, pending_window_days = @window WHERE key_id = @id AND state = @expected AND description IS NOT DISTINCT FROM @expectedDescription;",
            cancellationToken, null, ("@id", key.KeyId), ("@description", key.Description), ("@state", (int)key.State),
            ("@deletion", key.DeletionDate?.ToUnixTimeMilliseconds()), ("@window", key.PendingWindowInDays), ("@expected", (int)expected.State), ("@expectedDescription", expected.Description)) > 0;
    }

    public async ValueTask UpdateRotationScheduleAsync(string keyId, int? periodInDays, DateTimeOffset? nextRotation, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "UPDATE keys SET rotation_period_days = @period, next_rotation_ms = @next WHERE key_id = @id;", cancellationToken, null,
            ("@id", keyId), ("@period", periodInDays), ("@next", nextRotation?.ToUnixTimeMilliseconds()));
    }

    public async ValueTask<bool> TryAddMaterialVersionAsync(KmsKey key, StoredMaterial material, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // The key row first (SQLite inserts the material first; the outcome is the same): the update
        // locks it, so a racing rotation on another node waits here and then finds current_version
        // moved on, and the material's foreign key cannot fail under it.
        var moved = await ExecuteAsync(connection,
            material.RotationType == RotationTypes.Automatic
                ? """
                  UPDATE keys SET current_version = @version, next_rotation_ms = @next_rotation
                  WHERE key_id = @id AND current_version = @version - 1 AND state = @enabled AND rotation_period_days IS NOT NULL;
                  """
                : "UPDATE keys SET current_version = @version, on_demand_rotations = on_demand_rotations + 1 WHERE key_id = @id AND current_version = @version - 1;",
            cancellationToken, tx, ("@id", key.KeyId), ("@version", material.Version), ("@next_rotation", key.NextRotationDate?.ToUnixTimeMilliseconds()),
            ("@enabled", (int)KeyState.Enabled)) == 1 && await InsertMaterialAsync(connection, tx, material, cancellationToken);
        if (!moved)
        {
            await tx.RollbackAsync(cancellationToken);
            return false;
        }

        await tx.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task<bool> InsertMaterialAsync(NpgsqlConnection connection, NpgsqlTransaction tx, StoredMaterial material, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection,
            """
            INSERT INTO key_material (key_id, version, sealed, created_ms, rotation_type) VALUES (@id, @version, @sealed, @created, @rotation)
            ON CONFLICT DO NOTHING;
            """,
            cancellationToken, tx, ("@id", material.KeyId), ("@version", material.Version), ("@sealed", material.Sealed),
            ("@created", material.CreatedAt.ToUnixTimeMilliseconds()), ("@rotation", material.RotationType)) == 1;

    public async ValueTask<IReadOnlyList<MaterialVersion>> ListMaterialVersionsAsync(string keyId, int afterVersion, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            """
            SELECT version, created_ms, rotation_type, material_id, expiration_model, valid_to_ms, description, length(sealed) > 0, rotated_ms
            FROM key_material WHERE key_id = @id AND version > @after ORDER BY version LIMIT @limit;
            """, null, ("@id", keyId), ("@after", afterVersion), ("@limit", limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<MaterialVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(new MaterialVersion(reader.GetInt32(0), Time(reader, 1), OptionalText(reader, 2))
            {
                Imported = reader.IsDBNull(3) ? null : new ImportedMaterialInfo(reader.GetString(3), reader.GetString(4), OptionalTime(reader, 5), OptionalText(reader, 6)),
                Present = reader.GetBoolean(7),
                RotatedAt = OptionalTime(reader, 8),
            });
        }

        return versions;
    }

    public async ValueTask<bool> PutImportedMaterialAsync(StoredMaterial material, ImportedMaterialInfo info, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        (string, object?)[] parameters =
        [
            ("@id", material.KeyId), ("@version", material.Version), ("@sealed", material.Sealed), ("@created", material.CreatedAt.ToUnixTimeMilliseconds()),
            ("@material_id", info.MaterialId), ("@expiration", info.ExpirationModel), ("@valid_to", info.ValidTo?.ToUnixTimeMilliseconds()),
            ("@description", info.Description), ("@pending_import", (int)KeyState.PendingImport), ("@enabled", (int)KeyState.Enabled),
        ];
        // Only the same material goes back into a version: two imports racing for one version end with one winner.
        var stored = await ExecuteAsync(connection,
            """
            INSERT INTO key_material (key_id, version, sealed, created_ms, material_id, expiration_model, valid_to_ms, description)
            VALUES (@id, @version, @sealed, @created, @material_id, @expiration, @valid_to, @description)
            ON CONFLICT (key_id, version) DO UPDATE SET sealed = excluded.sealed, expiration_model = excluded.expiration_model,
                valid_to_ms = excluded.valid_to_ms, description = COALESCE(excluded.description, key_material.description)
            WHERE key_material.material_id = excluded.material_id;
            """, cancellationToken, tx, parameters);
        if (stored != 1)
        {
            await tx.RollbackAsync(cancellationToken);
            return false;
        }

        await ExecuteAsync(connection,
            """
            UPDATE keys SET state = CASE WHEN state = @pending_import THEN @enabled ELSE state END,
                expiration_model = @expiration, valid_to_ms = @valid_to, imported_material_id = @material_id
            WHERE key_id = @id AND current_version = @version;
            """, cancellationToken, tx, parameters);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async ValueTask DeleteImportedMaterialAsync(string keyId, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        (string, object?)[] parameters =
            [("@id", keyId), ("@version", version), ("@pending_deletion", (int)KeyState.PendingDeletion), ("@pending_import", (int)KeyState.PendingImport)];
        // The row stays with its id and an empty material. Unlike SQLite (secure_delete, then a WAL
        // checkpoint), PostgreSQL has no way to zero the old row version: it stays in the table file
        // until VACUUM reuses the space, and in the WAL, its archives and replicas for as long as they
        // are kept. So nothing is done here beyond the update; what protects it there is that it is
        // sealed under the domain key, and rotating the domain key leaves such copies unreadable.
        await ExecuteAsync(connection, "UPDATE key_material SET sealed = ''::bytea WHERE key_id = @id AND version = @version;", cancellationToken, tx, parameters);
        await ExecuteAsync(connection,
            """
            UPDATE keys SET state = CASE WHEN state = @pending_deletion THEN state ELSE @pending_import END, expiration_model = NULL, valid_to_ms = NULL
            WHERE key_id = @id AND current_version = @version;
            """, cancellationToken, tx, parameters);
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask<bool> TryMakeMaterialCurrentAsync(KmsKey key, int fromVersion, DateTimeOffset rotatedAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var moved = await ExecuteAsync(connection,
            """
            UPDATE keys SET current_version = @version, on_demand_rotations = @on_demand, expiration_model = @expiration, valid_to_ms = @valid_to,
                imported_material_id = @imported_id
            WHERE key_id = @id AND current_version = @from AND state = @enabled;
            """, cancellationToken, tx, [.. KeyParameters(key), ("@from", fromVersion), ("@enabled", (int)KeyState.Enabled)]);
        if (moved != 1)
        {
            await tx.RollbackAsync(cancellationToken);
            return false;
        }

        await ExecuteAsync(connection, "UPDATE key_material SET rotation_type = @rotation, rotated_ms = @at WHERE key_id = @id AND version = @version;",
            cancellationToken, tx, ("@rotation", RotationTypes.OnDemand), ("@at", rotatedAt.ToUnixTimeMilliseconds()), ("@id", key.KeyId),
            ("@version", key.CurrentMaterialVersion));
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async ValueTask<IReadOnlyList<KmsKey>> ListKeysWithExpiredMaterialAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryKeysAsync(connection,
            $"""
            SELECT {KeyColumns} FROM keys WHERE key_id IN (
                SELECT key_id FROM key_material WHERE valid_to_ms <= @now AND expiration_model = @expires AND length(sealed) > 0
                ORDER BY valid_to_ms LIMIT @limit);
            """,
            cancellationToken, ("@now", now.ToUnixTimeMilliseconds()), ("@expires", ExpirationModels.Expires), ("@limit", limit));
    }

    public async ValueTask PutImportParametersAsync(ImportParameters parameters, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection,
            """
            INSERT INTO import_parameters (key_id, token_hash, wrapping_algorithm, wrapping_key_spec, sealed_private_key, valid_to_ms)
            VALUES (@id, @hash, @algorithm, @spec, @sealed, @valid_to)
            ON CONFLICT (key_id) DO UPDATE SET token_hash = excluded.token_hash, wrapping_algorithm = excluded.wrapping_algorithm,
                wrapping_key_spec = excluded.wrapping_key_spec, sealed_private_key = excluded.sealed_private_key, valid_to_ms = excluded.valid_to_ms;
            """, cancellationToken, null, ("@id", parameters.KeyId), ("@hash", parameters.TokenHash), ("@algorithm", parameters.WrappingAlgorithm),
            ("@spec", parameters.WrappingKeySpec), ("@sealed", parameters.SealedPrivateKey), ("@valid_to", parameters.ValidTo.ToUnixTimeMilliseconds()));
    }

    public async ValueTask<ImportParameters?> FindImportParametersAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT token_hash, wrapping_algorithm, wrapping_key_spec, sealed_private_key, valid_to_ms FROM import_parameters WHERE key_id = @id;", null, ("@id", keyId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ImportParameters(keyId, (byte[])reader.GetValue(0), reader.GetString(1), reader.GetString(2), (byte[])reader.GetValue(3), Time(reader, 4))
            : null;
    }

    public async ValueTask DeleteAllImportParametersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "DELETE FROM import_parameters;", cancellationToken);
    }

    public async ValueTask<IReadOnlyList<KmsKey>> ListKeysDueForRotationAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryKeysAsync(connection,
            $"SELECT {KeyColumns} FROM keys WHERE next_rotation_ms <= @now AND state = @state ORDER BY next_rotation_ms LIMIT @limit;",
            cancellationToken, ("@now", now.ToUnixTimeMilliseconds()), ("@state", (int)KeyState.Enabled), ("@limit", limit));
    }

    public async ValueTask<IReadOnlyList<KmsKey>> ListKeysAsync(string accountId, string region, string? afterKeyId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryKeysAsync(connection,
            $"SELECT {KeyColumns} FROM keys WHERE account_id = @account AND region = @region AND key_id > @after ORDER BY key_id LIMIT @limit;",
            cancellationToken, ("@account", accountId), ("@region", region), ("@after", afterKeyId ?? ""), ("@limit", limit));
    }

    public async ValueTask<IReadOnlyList<KmsKey>> ListKeysDueForDeletionAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryKeysAsync(connection,
            $"SELECT {KeyColumns} FROM keys WHERE state = @state AND deletion_ms <= @now ORDER BY deletion_ms LIMIT @limit;",
            cancellationToken, ("@state", (int)KeyState.PendingDeletion), ("@now", now.ToUnixTimeMilliseconds()), ("@limit", limit));
    }

    public async ValueTask<StoredMaterial?> FindMaterialAsync(string keyId, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT sealed, created_ms, rotation_type FROM key_material WHERE key_id = @id AND version = @version AND length(sealed) > 0;", null,
            ("@id", keyId), ("@version", version));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredMaterial(keyId, version, (byte[])reader.GetValue(0), Time(reader, 1), OptionalText(reader, 2))
            : null;
    }

    public async ValueTask<bool> DeleteKeyIfDueAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // Foreign keys cascade the material, tags, aliases, grants and last use away in the same
        // statement. SQLite's WAL checkpoint after this has no PostgreSQL equivalent (see
        // DeleteImportedMaterialAsync): the dead rows are sealed bytes until VACUUM reuses their space.
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, "DELETE FROM keys WHERE key_id = @id AND state = @state AND deletion_ms <= @now;", cancellationToken, null,
            ("@id", keyId), ("@state", (int)KeyState.PendingDeletion), ("@now", now.ToUnixTimeMilliseconds())) > 0;
    }

    public async ValueTask<IReadOnlyList<KmsTag>> GetTagsAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ReadTagsAsync(connection, "SELECT tag_key, tag_value FROM key_tags WHERE key_id = @id ORDER BY tag_key;", keyId, cancellationToken);
    }

    /// <summary>Reads (key, value) rows of a tag table for one owner, bound as <c>@id</c>.</summary>
    private static async Task<List<KmsTag>> ReadTagsAsync(NpgsqlConnection connection, string sql, string ownerId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, null, ("@id", ownerId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tags = new List<KmsTag>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tags.Add(new KmsTag(reader.GetString(0), reader.GetString(1)));
        }

        return tags;
    }

    public ValueTask ReplaceTagsAsync(string keyId, IReadOnlyList<KmsTag> tags, CancellationToken cancellationToken = default) =>
        ReplaceTagSetAsync("keys", "key_id", "key_tags", keyId, tags, cancellationToken);

    /// <summary>
    /// Replaces the whole tag set of one owner in one transaction. The owner's row is locked first:
    /// SQLite serialises writers, and here two nodes replacing one tag set at once would otherwise
    /// both delete the old set and then collide inserting the new ones.
    /// </summary>
    private async ValueTask ReplaceTagSetAsync(string ownerTable, string ownerColumn, string tagTable, string ownerId, IReadOnlyList<KmsTag> tags,
        CancellationToken cancellationToken)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT 1 FROM {ownerTable} WHERE {PrimaryKey(ownerTable)} = @id FOR NO KEY UPDATE;", cancellationToken, tx, ("@id", ownerId));
        await ExecuteAsync(connection, $"DELETE FROM {tagTable} WHERE {ownerColumn} = @id;", cancellationToken, tx, ("@id", ownerId));
        await InsertTagsAsync(connection, tx, tagTable, ownerColumn, ownerId, tags, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private static string PrimaryKey(string ownerTable) => ownerTable == "keys" ? "key_id" : "arn";

    public async ValueTask<bool> TryInsertAliasAsync(KmsAlias alias, CancellationToken cancellationToken = default)
    {
        // Only a taken name gives false; a target key deleted meanwhile fails the foreign key, as in
        // SQLite, whose INSERT OR IGNORE does not cover foreign keys either.
        await using var connection = await _db.OpenAsync(cancellationToken);
        var rows = await ExecuteAsync(connection,
            """
            INSERT INTO aliases (account_id, region, name, target_key_id, created_ms, updated_ms)
            VALUES (@account, @region, @name, @target, @created, @updated)
            ON CONFLICT DO NOTHING;
            """, cancellationToken, null, AliasParameters(alias));
        return rows == 1;
    }

    public async ValueTask<KmsAlias?> FindAliasAsync(string accountId, string region, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        var aliases = await QueryAliasesAsync(connection,
            "SELECT account_id, region, name, target_key_id, created_ms, updated_ms FROM aliases WHERE account_id = @account AND region = @region AND name = @name;",
            cancellationToken, ("@account", accountId), ("@region", region), ("@name", name));
        return aliases.Count == 0 ? null : aliases[0];
    }

    public async ValueTask UpdateAliasAsync(KmsAlias alias, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection,
            "UPDATE aliases SET target_key_id = @target, updated_ms = @updated WHERE account_id = @account AND region = @region AND name = @name;",
            cancellationToken, null, AliasParameters(alias));
    }

    public async ValueTask<bool> DeleteAliasAsync(string accountId, string region, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        var rows = await ExecuteAsync(connection, "DELETE FROM aliases WHERE account_id = @account AND region = @region AND name = @name;", cancellationToken, null,
            ("@account", accountId), ("@region", region), ("@name", name));
        return rows == 1;
    }

    public async ValueTask<IReadOnlyList<KmsAlias>> ListAliasesAsync(string accountId, string region, string? targetKeyId, string? afterName, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryAliasesAsync(connection,
            $"""
            SELECT account_id, region, name, target_key_id, created_ms, updated_ms FROM aliases
            WHERE account_id = @account AND region = @region {(targetKeyId is null ? "" : "AND target_key_id = @target")} AND name > @after
            ORDER BY name LIMIT @limit;
            """, cancellationToken, ("@account", accountId), ("@region", region), ("@target", targetKeyId), ("@after", afterName ?? ""), ("@limit", limit));
    }

    public async ValueTask UpsertAccessKeyAsync(AccessKeyRecord accessKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection,
            """
            INSERT INTO access_keys (access_key_id, account_id, principal_arn, user_name, status, sealed_secret, created_ms)
            VALUES (@id, @account, @principal, @user, @status, @secret, @created)
            ON CONFLICT (access_key_id) DO UPDATE SET status = excluded.status, sealed_secret = excluded.sealed_secret;
            """, cancellationToken, null,
            ("@id", accessKey.AccessKeyId), ("@account", accessKey.AccountId), ("@principal", accessKey.PrincipalArn), ("@user", accessKey.UserName),
            ("@status", (int)accessKey.Status), ("@secret", accessKey.SealedSecret), ("@created", accessKey.CreatedAt.ToUnixTimeMilliseconds()));
    }

    public async ValueTask<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        var keys = await QueryAccessKeysAsync(connection, $"SELECT {AccessKeyColumns} FROM access_keys WHERE access_key_id = @id;", cancellationToken, ("@id", accessKeyId));
        return keys.Count == 0 ? null : keys[0];
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private static Task InsertTagsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string keyId, IReadOnlyList<KmsTag> tags, CancellationToken cancellationToken) =>
        InsertTagsAsync(connection, tx, "key_tags", "key_id", keyId, tags, cancellationToken);

    private static async Task InsertTagsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tagTable, string ownerColumn, string ownerId,
        IReadOnlyList<KmsTag> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return;
        }

        // One statement for the whole set: the keys and values go as two arrays, unnested in step.
        await ExecuteAsync(connection, $"INSERT INTO {tagTable} ({ownerColumn}, tag_key, tag_value) SELECT @id, k, v FROM unnest(@keys, @values) AS t (k, v);",
            cancellationToken, tx, ("@id", ownerId), ("@keys", tags.Select(t => t.Key).ToArray()), ("@values", tags.Select(t => t.Value).ToArray()));
    }

    private static (string, object?)[] KeyParameters(KmsKey key) =>
    [
        ("@id", key.KeyId), ("@account", key.AccountId), ("@region", key.Region), ("@created", key.CreationDate.ToUnixTimeMilliseconds()),
        ("@description", key.Description), ("@state", (int)key.State), ("@deletion", key.DeletionDate?.ToUnixTimeMilliseconds()),
        ("@window", key.PendingWindowInDays), ("@spec", key.KeySpec), ("@usage", key.KeyUsage), ("@origin", key.Origin),
        ("@manager", key.KeyManager), ("@version", key.CurrentMaterialVersion), ("@period", key.RotationPeriodInDays),
        ("@next_rotation", key.NextRotationDate?.ToUnixTimeMilliseconds()), ("@on_demand", key.OnDemandRotations),
        ("@expiration", key.ExpirationModel), ("@valid_to", key.ValidTo?.ToUnixTimeMilliseconds()), ("@imported_id", key.ImportedMaterialId),
    ];

    private static (string, object?)[] AliasParameters(KmsAlias alias) =>
    [
        ("@account", alias.AccountId), ("@region", alias.Region), ("@name", alias.Name), ("@target", alias.TargetKeyId),
        ("@created", alias.CreationDate.ToUnixTimeMilliseconds()), ("@updated", alias.LastUpdatedDate.ToUnixTimeMilliseconds()),
    ];

    private static async Task<List<KmsKey>> QueryKeysAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, null, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<KmsKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new KmsKey
            {
                KeyId = reader.GetString(0),
                AccountId = reader.GetString(1),
                Region = reader.GetString(2),
                CreationDate = Time(reader, 3),
                Description = reader.GetString(4),
                State = (KeyState)reader.GetInt32(5),
                DeletionDate = OptionalTime(reader, 6),
                PendingWindowInDays = OptionalInt(reader, 7),
                KeySpec = reader.GetString(8),
                KeyUsage = reader.GetString(9),
                Origin = reader.GetString(10),
                KeyManager = reader.GetString(11),
                CurrentMaterialVersion = reader.GetInt32(12),
                RotationPeriodInDays = OptionalInt(reader, 13),
                NextRotationDate = OptionalTime(reader, 14),
                OnDemandRotations = reader.GetInt32(15),
                ExpirationModel = OptionalText(reader, 16),
                ValidTo = OptionalTime(reader, 17),
                ImportedMaterialId = OptionalText(reader, 18),
            });
        }

        return keys;
    }

    private static async Task<List<KmsAlias>> QueryAliasesAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, null, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var aliases = new List<KmsAlias>();
        while (await reader.ReadAsync(cancellationToken))
        {
            aliases.Add(new KmsAlias
            {
                AccountId = reader.GetString(0),
                Region = reader.GetString(1),
                Name = reader.GetString(2),
                TargetKeyId = reader.GetString(3),
                CreationDate = Time(reader, 4),
                LastUpdatedDate = Time(reader, 5),
            });
        }

        return aliases;
    }
}
