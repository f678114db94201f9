using System.Text.Json;
using Coffer.Core;
using Npgsql;
using static Coffer.Storage.Postgres.PostgresDatabase;

namespace Coffer.Storage.Postgres;

/// <summary>Identities, key policies and grants on PostgreSQL.</summary>
public sealed partial class PostgresStore
{
    private const string PrincipalColumns = "arn, account_id, kind, name, unique_id, path, created_ms, trust_policy, max_session_seconds";
    private const string GrantColumns =
        "grant_id, key_id, name, grantee, retiring, operations, context_equals, context_subset, issuing_account, created_ms";
    private const string AccessKeyColumns = "access_key_id, account_id, principal_arn, user_name, status, sealed_secret, created_ms";
    private const string SessionColumns = "access_key_id, account_id, role_arn, role_unique_id, session_name, sealed_secret, token_hash, expires_ms, created_ms";

    public async ValueTask<bool> TryInsertPrincipalAsync(PrincipalRecord principal, CancellationToken cancellationToken = default)
    {
        // No conflict target: a taken ARN and a name taken in any case (principals_by_name) both end as "not inserted".
        await using var connection = await _db.OpenAsync(cancellationToken);
        var rows = await ExecuteAsync(connection,
            $"INSERT INTO principals ({PrincipalColumns}) VALUES (@arn, @account, @kind, @name, @unique, @path, @created, @trust, @max) ON CONFLICT DO NOTHING;",
            cancellationToken, null,
            ("@arn", principal.Arn), ("@account", principal.AccountId), ("@kind", (int)principal.Kind), ("@name", principal.Name),
            ("@unique", principal.UniqueId), ("@path", principal.Path), ("@created", principal.CreatedAt.ToUnixTimeMilliseconds()),
            ("@trust", principal.TrustPolicy), ("@max", principal.MaxSessionSeconds));
        return rows == 1;
    }

    public async ValueTask<PrincipalRecord?> FindPrincipalAsync(string accountId, PrincipalKind kind, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        var found = await QueryPrincipalsAsync(connection,
            $"SELECT {PrincipalColumns} FROM principals WHERE account_id = @account AND kind = @kind AND lower(name) = lower(@name);",
            cancellationToken, ("@account", accountId), ("@kind", (int)kind), ("@name", name));
        return found.Count == 0 ? null : found[0];
    }

    public async ValueTask<IReadOnlyList<PrincipalRecord>> ListPrincipalsAsync(string accountId, PrincipalKind kind, string? afterName, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryPrincipalsAsync(connection,
            $"SELECT {PrincipalColumns} FROM principals WHERE account_id = @account AND kind = @kind AND name > @after ORDER BY name LIMIT @limit;",
            cancellationToken, ("@account", accountId), ("@kind", (int)kind), ("@after", afterName ?? ""), ("@limit", limit));
    }

    public async ValueTask<bool> DeletePrincipalAsync(string arn, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, "DELETE FROM principals WHERE arn = @arn;", cancellationToken, null, ("@arn", arn)) == 1;
    }

    public async ValueTask PutPrincipalPolicyAsync(PrincipalPolicy policy, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection,
            """
            INSERT INTO principal_policies (principal_arn, name, document) VALUES (@arn, @name, @document)
            ON CONFLICT (principal_arn, name) DO UPDATE SET document = excluded.document;
            """, cancellationToken, null, ("@arn", policy.PrincipalArn), ("@name", policy.Name), ("@document", policy.Document));
    }

    public async ValueTask<IReadOnlyList<PrincipalPolicy>> ListPrincipalPoliciesAsync(string principalArn, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT name, document FROM principal_policies WHERE principal_arn = @arn ORDER BY name;", null, ("@arn", principalArn));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var policies = new List<PrincipalPolicy>();
        while (await reader.ReadAsync(cancellationToken))
        {
            policies.Add(new PrincipalPolicy(principalArn, reader.GetString(0), reader.GetString(1)));
        }

        return policies;
    }

    public async ValueTask<bool> DeletePrincipalPolicyAsync(string principalArn, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, "DELETE FROM principal_policies WHERE principal_arn = @arn AND name = @name;", cancellationToken, null,
            ("@arn", principalArn), ("@name", name)) == 1;
    }

    public async ValueTask<IReadOnlyList<KmsTag>> GetPrincipalTagsAsync(string principalArn, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ReadTagsAsync(connection, "SELECT tag_key, tag_value FROM principal_tags WHERE principal_arn = @id ORDER BY tag_key;", principalArn, cancellationToken);
    }

    public ValueTask ReplacePrincipalTagsAsync(string principalArn, IReadOnlyList<KmsTag> tags, CancellationToken cancellationToken = default) =>
        ReplaceTagSetAsync("principals", "principal_arn", "principal_tags", principalArn, tags, cancellationToken);

    public async ValueTask<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string principalArn, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryAccessKeysAsync(connection, $"SELECT {AccessKeyColumns} FROM access_keys WHERE principal_arn = @arn ORDER BY created_ms;", cancellationToken,
            ("@arn", principalArn));
    }

    public async ValueTask<bool> DeleteAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, "DELETE FROM access_keys WHERE access_key_id = @id;", cancellationToken, null, ("@id", accessKeyId)) == 1;
    }

    public async ValueTask InsertSessionAsync(SessionRecord session, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection,
            $"INSERT INTO sessions ({SessionColumns}) VALUES (@id, @account, @role, @unique, @name, @secret, @token, @expires, @created);", cancellationToken, null,
            ("@id", session.AccessKeyId), ("@account", session.AccountId), ("@role", session.RoleArn), ("@unique", session.RoleUniqueId),
            ("@name", session.SessionName), ("@secret", session.SealedSecret), ("@token", session.TokenHash),
            ("@expires", session.ExpiresAt.ToUnixTimeMilliseconds()), ("@created", session.CreatedAt.ToUnixTimeMilliseconds()));
    }

    public async ValueTask<SessionRecord?> FindSessionAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        var sessions = await QuerySessionsAsync(connection, $"SELECT {SessionColumns} FROM sessions WHERE access_key_id = @id;", cancellationToken, ("@id", accessKeyId));
        return sessions.Count == 0 ? null : sessions[0];
    }

    public async ValueTask<string?> GetKeyPolicyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return (string?)await ScalarAsync(connection, "SELECT document FROM key_policies WHERE key_id = @id;", cancellationToken, null, ("@id", keyId));
    }

    public async ValueTask SetKeyPolicyAsync(string keyId, string document, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection,
            "INSERT INTO key_policies (key_id, document) VALUES (@id, @document) ON CONFLICT (key_id) DO UPDATE SET document = excluded.document;",
            cancellationToken, null, ("@id", keyId), ("@document", document));
    }

    public async ValueTask<GrantRecord> InsertGrantAsync(GrantRecord grant, GrantLimits? limits = null, CancellationToken cancellationToken = default)
    {
        // As in SQLite, a grant's name is not unique: AWS makes a new grant for a name reused with
        // other terms. So no constraint can find a retry; under READ COMMITTED two nodes checking at
        // once would both find none and both insert, so the check and the insert hold the key's lock.
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@space, hashtext(@key));", cancellationToken, tx,
            ("@space", PostgresDatabase.GrantLockSpace), ("@key", grant.KeyId));
        if (grant.Name is not null)
        {
            var named = await QueryGrantsAsync(connection, $"SELECT {GrantColumns} FROM grants WHERE key_id = @key AND grantee = @grantee AND name = @name ORDER BY created_ms, grant_id;",
                cancellationToken, tx, ("@key", grant.KeyId), ("@grantee", grant.GranteePrincipal), ("@name", grant.Name));
            if (named.FirstOrDefault(grant.IsRetryOf) is { } existing)
            {
                await tx.CommitAsync(cancellationToken);
                return existing;
            }
        }

        if (limits is not null)
        {
            await CheckGrantLimitsAsync(connection, tx, grant, limits, cancellationToken);
        }

        await ExecuteAsync(connection,
            $"INSERT INTO grants ({GrantColumns}) VALUES (@id, @key, @name, @grantee, @retiring, @operations, @equals, @subset, @issuer, @created);",
            cancellationToken, tx,
            ("@id", grant.GrantId), ("@key", grant.KeyId), ("@name", grant.Name), ("@grantee", grant.GranteePrincipal), ("@retiring", grant.RetiringPrincipal),
            ("@operations", string.Join(',', grant.Operations)), ("@equals", ContextJson(grant.EncryptionContextEquals)),
            ("@subset", ContextJson(grant.EncryptionContextSubset)), ("@issuer", grant.IssuingAccount),
            ("@created", grant.CreatedAt.ToUnixTimeMilliseconds()));
        await tx.CommitAsync(cancellationToken);
        return grant;
    }

    /// <summary>Counted inside the insert's transaction (and, on PostgreSQL, the key's lock), so no other insert can land between the count and the insert.</summary>
    private static async Task CheckGrantLimitsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, GrantRecord grant, GrantLimits limits, CancellationToken cancellationToken)
    {
        var granteeGrants = Convert.ToInt32(await ScalarAsync(connection, "SELECT COUNT(*) FROM grants WHERE key_id = @key AND grantee = @grantee;", cancellationToken, tx,
            ("@key", grant.KeyId), ("@grantee", grant.GranteePrincipal)), System.Globalization.CultureInfo.InvariantCulture);
        if (granteeGrants >= limits.PerGranteePerKey)
        {
            throw new GrantLimitExceededException(GrantLimitKind.PerGranteePerKey);
        }

        var keyGrants = Convert.ToInt32(await ScalarAsync(connection, "SELECT COUNT(*) FROM grants WHERE key_id = @key;", cancellationToken, tx, ("@key", grant.KeyId)),
            System.Globalization.CultureInfo.InvariantCulture);
        if (keyGrants >= limits.PerKey)
        {
            throw new GrantLimitExceededException(GrantLimitKind.PerKey);
        }
    }

    public async ValueTask<IReadOnlyList<GrantRecord>> ListGrantsAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryGrantsAsync(connection, $"SELECT {GrantColumns} FROM grants WHERE key_id = @key ORDER BY created_ms, grant_id;", cancellationToken, ("@key", keyId));
    }

    public async ValueTask<IReadOnlyList<GrantRecord>> ListGrantsForGranteesAsync(string keyId, IReadOnlyList<string> grantees, CancellationToken cancellationToken = default)
    {
        if (grantees.Count == 0)
        {
            return [];
        }

        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryGrantsAsync(connection, $"SELECT {GrantColumns} FROM grants WHERE key_id = @key AND grantee = ANY(@grantees) ORDER BY created_ms, grant_id;",
            cancellationToken, ("@key", keyId), ("@grantees", grantees.ToArray()));
    }

    public async ValueTask<IReadOnlyList<GrantRecord>> ListGrantsByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryGrantsAsync(connection, $"SELECT {GrantColumns} FROM grants WHERE retiring = @retiring ORDER BY created_ms, grant_id;", cancellationToken,
            ("@retiring", retiringPrincipal));
    }

    public async ValueTask<GrantRecord?> FindGrantAsync(string grantId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        var grants = await QueryGrantsAsync(connection, $"SELECT {GrantColumns} FROM grants WHERE grant_id = @id;", cancellationToken, ("@id", grantId));
        return grants.Count == 0 ? null : grants[0];
    }

    public async ValueTask<bool> DeleteGrantAsync(string grantId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, "DELETE FROM grants WHERE grant_id = @id;", cancellationToken, null, ("@id", grantId)) == 1;
    }

    public async ValueTask<IReadOnlyList<KmsKey>> ListAllKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryKeysAsync(connection, $"SELECT {KeyColumns} FROM keys;", cancellationToken);
    }

    public async ValueTask<IReadOnlyList<StoredMaterial>> ListAllMaterialAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT key_id, version, sealed, created_ms FROM key_material WHERE length(sealed) > 0 ORDER BY key_id, version;", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var materials = new List<StoredMaterial>();
        while (await reader.ReadAsync(cancellationToken))
        {
            materials.Add(new StoredMaterial(reader.GetString(0), reader.GetInt32(1), (byte[])reader.GetValue(2), Time(reader, 3)));
        }

        return materials;
    }

    public async ValueTask<bool> UpdateMaterialAsync(StoredMaterial material, byte[] expectedSealed, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, "UPDATE key_material SET sealed = @sealed WHERE key_id = @id AND version = @version AND sealed = @expected;",
            cancellationToken, null, ("@sealed", material.Sealed), ("@id", material.KeyId), ("@version", material.Version), ("@expected", expectedSealed)) == 1;
    }

    public async ValueTask<IReadOnlyList<AccessKeyRecord>> ListAllAccessKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QueryAccessKeysAsync(connection, $"SELECT {AccessKeyColumns} FROM access_keys;", cancellationToken);
    }

    public async ValueTask<IReadOnlyList<SessionRecord>> ListAllSessionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        return await QuerySessionsAsync(connection, $"SELECT {SessionColumns} FROM sessions;", cancellationToken);
    }

    public async ValueTask UpdateSessionSecretAsync(string accessKeyId, byte[] sealedSecret, CancellationToken cancellationToken = default)
    {
        await using var connection = await _db.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "UPDATE sessions SET sealed_secret = @secret WHERE access_key_id = @id;", cancellationToken, null,
            ("@secret", sealedSecret), ("@id", accessKeyId));
    }

    private static string? ContextJson(IReadOnlyDictionary<string, string>? context) =>
        context is null ? null : JsonSerializer.Serialize(context, PostgresJsonContext.Default.IReadOnlyDictionaryStringString);

    private static Dictionary<string, string>? ReadContext(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize(reader.GetString(ordinal), PostgresJsonContext.Default.DictionaryStringString);

    private static async Task<List<PrincipalRecord>> QueryPrincipalsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken,
        params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, null, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var principals = new List<PrincipalRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            principals.Add(new PrincipalRecord(reader.GetString(0), reader.GetString(1), (PrincipalKind)reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), Time(reader, 6), OptionalText(reader, 7), reader.GetInt32(8)));
        }

        return principals;
    }

    private static async Task<List<AccessKeyRecord>> QueryAccessKeysAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken,
        params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, null, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<AccessKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new AccessKeyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (AccessKeyStatus)reader.GetInt32(4),
                (byte[])reader.GetValue(5), Time(reader, 6)));
        }

        return keys;
    }

    private static async Task<List<SessionRecord>> QuerySessionsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken,
        params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, null, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sessions = new List<SessionRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sessions.Add(new SessionRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), (byte[])reader.GetValue(5),
                (byte[])reader.GetValue(6), Time(reader, 7), Time(reader, 8)));
        }

        return sessions;
    }

    private static Task<List<GrantRecord>> QueryGrantsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken,
        params (string, object?)[] parameters) => QueryGrantsAsync(connection, sql, cancellationToken, null, parameters);

    private static async Task<List<GrantRecord>> QueryGrantsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, NpgsqlTransaction? tx,
        params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, tx, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var grants = new List<GrantRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            grants.Add(new GrantRecord(reader.GetString(0), reader.GetString(1), OptionalText(reader, 2), reader.GetString(3), OptionalText(reader, 4),
                reader.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries), ReadContext(reader, 6), ReadContext(reader, 7), reader.GetString(8),
                Time(reader, 9)));
        }

        return grants;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class PostgresJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
