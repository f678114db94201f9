using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>
/// The schema, as an ordered list of steps recorded in <c>schema_migrations</c>. A step, once
/// released, is never edited: a change is a new step, so every database upgrades the same way.
/// The first step is the SQLite engine's schema after its seventh step, column for column, with
/// PostgreSQL's types: <c>bytea</c> for sealed blobs, <c>bigint</c> Unix milliseconds for times,
/// <c>COLLATE "C"</c> on the names that are ordered or paged by, so that listings come back in
/// the byte order SQLite gives whatever the database's default collation is.
/// </summary>
internal static class PostgresMigrations
{
    public static readonly string[] Steps =
    [
        """
        CREATE TABLE settings (
            name  TEXT COLLATE "C" PRIMARY KEY,
            value BYTEA NOT NULL
        );
        CREATE TABLE keys (
            key_id               TEXT COLLATE "C" PRIMARY KEY,
            account_id           TEXT NOT NULL,
            region               TEXT NOT NULL,
            created_ms           BIGINT NOT NULL,
            description          TEXT NOT NULL,
            state                INTEGER NOT NULL,
            deletion_ms          BIGINT,
            pending_window_days  INTEGER,
            key_spec             TEXT NOT NULL,
            key_usage            TEXT NOT NULL,
            origin               TEXT NOT NULL,
            key_manager          TEXT NOT NULL,
            current_version      INTEGER NOT NULL,
            rotation_period_days INTEGER,
            next_rotation_ms     BIGINT,
            on_demand_rotations  INTEGER NOT NULL DEFAULT 0,
            expiration_model     TEXT,
            valid_to_ms          BIGINT,
            imported_material_id TEXT
        );
        CREATE INDEX keys_by_scope ON keys (account_id, region, key_id);
        CREATE INDEX keys_by_deletion ON keys (deletion_ms) WHERE deletion_ms IS NOT NULL;
        CREATE INDEX keys_by_rotation ON keys (next_rotation_ms) WHERE next_rotation_ms IS NOT NULL;
        CREATE TABLE key_material (
            key_id           TEXT COLLATE "C" NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
            version          INTEGER NOT NULL,
            sealed           BYTEA NOT NULL,
            created_ms       BIGINT NOT NULL,
            rotation_type    TEXT,
            material_id      TEXT,
            expiration_model TEXT,
            valid_to_ms      BIGINT,
            description      TEXT,
            rotated_ms       BIGINT,
            PRIMARY KEY (key_id, version)
        );
        CREATE INDEX key_material_by_valid_to ON key_material (valid_to_ms) WHERE valid_to_ms IS NOT NULL;
        CREATE TABLE key_tags (
            key_id    TEXT COLLATE "C" NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
            tag_key   TEXT COLLATE "C" NOT NULL,
            tag_value TEXT NOT NULL,
            PRIMARY KEY (key_id, tag_key)
        );
        CREATE TABLE key_policies (
            key_id   TEXT COLLATE "C" PRIMARY KEY REFERENCES keys (key_id) ON DELETE CASCADE,
            document TEXT NOT NULL
        );
        CREATE TABLE aliases (
            account_id    TEXT NOT NULL,
            region        TEXT NOT NULL,
            name          TEXT COLLATE "C" NOT NULL,
            target_key_id TEXT COLLATE "C" NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
            created_ms    BIGINT NOT NULL,
            updated_ms    BIGINT NOT NULL,
            PRIMARY KEY (account_id, region, name)
        );
        CREATE INDEX aliases_by_key ON aliases (target_key_id);
        CREATE TABLE import_parameters (
            key_id             TEXT COLLATE "C" PRIMARY KEY REFERENCES keys (key_id) ON DELETE CASCADE,
            token_hash         BYTEA NOT NULL,
            wrapping_algorithm TEXT NOT NULL,
            wrapping_key_spec  TEXT NOT NULL,
            sealed_private_key BYTEA NOT NULL,
            valid_to_ms        BIGINT NOT NULL
        );
        CREATE TABLE key_last_usage (
            key_id     TEXT COLLATE "C" PRIMARY KEY REFERENCES keys (key_id) ON DELETE CASCADE,
            operation  TEXT NOT NULL,
            used_ms    BIGINT NOT NULL,
            event_id   TEXT NOT NULL,
            request_id TEXT NOT NULL
        );
        CREATE TABLE access_keys (
            access_key_id TEXT COLLATE "C" PRIMARY KEY,
            account_id    TEXT NOT NULL,
            principal_arn TEXT NOT NULL,
            user_name     TEXT NOT NULL,
            status        INTEGER NOT NULL,
            sealed_secret BYTEA NOT NULL,
            created_ms    BIGINT NOT NULL
        );
        CREATE INDEX access_keys_by_principal ON access_keys (principal_arn);
        CREATE TABLE principals (
            arn                 TEXT PRIMARY KEY,
            account_id          TEXT NOT NULL,
            kind                INTEGER NOT NULL,
            name                TEXT COLLATE "C" NOT NULL,
            unique_id           TEXT NOT NULL,
            path                TEXT NOT NULL,
            created_ms          BIGINT NOT NULL,
            trust_policy        TEXT,
            max_session_seconds INTEGER NOT NULL
        );
        -- IAM names are unique without regard to case; lower() under "C" folds ASCII only, as SQLite's NOCASE does.
        CREATE UNIQUE INDEX principals_by_name ON principals (account_id, kind, lower(name));
        CREATE TABLE principal_policies (
            principal_arn TEXT NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
            name          TEXT COLLATE "C" NOT NULL,
            document      TEXT NOT NULL,
            PRIMARY KEY (principal_arn, name)
        );
        CREATE TABLE principal_tags (
            principal_arn TEXT NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
            tag_key       TEXT COLLATE "C" NOT NULL,
            tag_value     TEXT NOT NULL,
            PRIMARY KEY (principal_arn, tag_key)
        );
        CREATE TABLE sessions (
            access_key_id  TEXT PRIMARY KEY,
            account_id     TEXT NOT NULL,
            role_arn       TEXT NOT NULL,
            role_unique_id TEXT NOT NULL,
            session_name   TEXT NOT NULL,
            sealed_secret  BYTEA NOT NULL,
            token_hash     BYTEA NOT NULL,
            expires_ms     BIGINT NOT NULL,
            created_ms     BIGINT NOT NULL
        );
        CREATE TABLE grants (
            grant_id        TEXT COLLATE "C" PRIMARY KEY,
            key_id          TEXT COLLATE "C" NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
            name            TEXT,
            grantee         TEXT NOT NULL,
            retiring        TEXT,
            operations      TEXT NOT NULL,
            context_equals  TEXT,
            context_subset  TEXT,
            issuing_account TEXT NOT NULL,
            created_ms      BIGINT NOT NULL
        );
        CREATE INDEX grants_by_key_grantee ON grants (key_id, grantee);
        CREATE INDEX grants_by_retiring ON grants (retiring);
        CREATE TABLE audit_events (
            seq           BIGINT PRIMARY KEY,
            event_time_ms BIGINT NOT NULL,
            event_id      TEXT NOT NULL,
            event_name    TEXT NOT NULL,
            event_source  TEXT NOT NULL,
            account_id    TEXT,
            principal_arn TEXT,
            user_name     TEXT,
            access_key_id TEXT,
            error_code    TEXT,
            source_ip     TEXT,
            read_only     BOOLEAN NOT NULL,
            resources     TEXT NOT NULL,
            json          TEXT NOT NULL,
            hash          BYTEA NOT NULL
        );
        CREATE INDEX audit_events_by_time ON audit_events (event_time_ms);
        -- The last sequence ever appended; retention deletes events but never this row, so the chain cannot restart lower.
        CREATE TABLE audit_chain_head (
            id       INTEGER PRIMARY KEY CHECK (id = 1),
            last_seq BIGINT NOT NULL
        );
        CREATE TABLE audit_probe (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            at_ms BIGINT NOT NULL
        );
        CREATE TABLE audit_digests (
            seq        BIGINT PRIMARY KEY,
            created_ms BIGINT NOT NULL,
            json       TEXT NOT NULL,
            signature  BYTEA NOT NULL
        );
        """,
    ];

    /// <summary>
    /// Applies the steps the database lacks, in one transaction under an advisory lock: nodes that
    /// start together wait for the first, then find nothing left to do. DDL is transactional in
    /// PostgreSQL, so a failed step leaves the schema as it was.
    /// </summary>
    public static async Task RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresDatabase.ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@lock);", cancellationToken, tx, ("@lock", PostgresDatabase.MigrationLock));
        await PostgresDatabase.ExecuteAsync(connection,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL);", cancellationToken, tx);
        var current = Convert.ToInt32(await PostgresDatabase.ScalarAsync(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken, tx),
            System.Globalization.CultureInfo.InvariantCulture);
        if (current > Steps.Length)
        {
            // A newer Coffer migrated this database; this one would not know what its tables mean.
            throw new InvalidOperationException(
                $"The PostgreSQL database is at schema version {current}, newer than this Coffer's {Steps.Length}: upgrade this node.");
        }

        for (var step = current; step < Steps.Length; step++)
        {
            await PostgresDatabase.ExecuteAsync(connection, Steps[step], cancellationToken, tx);
            await PostgresDatabase.ExecuteAsync(connection,
                "INSERT INTO schema_migrations (version, applied_ms) VALUES (@version, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);",
                cancellationToken, tx, ("@version", step + 1));
        }

        await tx.CommitAsync(cancellationToken);
    }
}
