namespace Coffer.Storage.Sqlite;

/// <summary>
/// The schema, as an ordered list of steps. A step, once released, is never edited: a change
/// is a new step, so every store upgrades the same way.
/// </summary>
internal static class SqliteMigrations
{
    public static readonly string[] Steps =
    [
        """
        CREATE TABLE settings (
            name  TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        CREATE TABLE keys (
            key_id              TEXT PRIMARY KEY,
            account_id          TEXT NOT NULL,
            region              TEXT NOT NULL,
            created_ms          INTEGER NOT NULL,
            description         TEXT NOT NULL,
            state               INTEGER NOT NULL,
            deletion_ms         INTEGER,
            pending_window_days INTEGER,
            key_spec            TEXT NOT NULL,
            key_usage           TEXT NOT NULL,
            origin              TEXT NOT NULL,
            key_manager         TEXT NOT NULL,
            current_version     INTEGER NOT NULL
        );
        CREATE INDEX keys_by_scope ON keys (account_id, region, key_id);
        CREATE INDEX keys_by_deletion ON keys (deletion_ms) WHERE deletion_ms IS NOT NULL;
        CREATE TABLE key_material (
            key_id     TEXT NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
            version    INTEGER NOT NULL,
            sealed     BLOB NOT NULL,
            created_ms INTEGER NOT NULL,
            PRIMARY KEY (key_id, version)
        );
        CREATE TABLE key_tags (
            key_id    TEXT NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
            tag_key   TEXT NOT NULL,
            tag_value TEXT NOT NULL,
            PRIMARY KEY (key_id, tag_key)
        );
        CREATE TABLE aliases (
            account_id    TEXT NOT NULL,
            region        TEXT NOT NULL,
            name          TEXT NOT NULL,
            target_key_id TEXT NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
            created_ms    INTEGER NOT NULL,
            updated_ms    INTEGER NOT NULL,
            PRIMARY KEY (account_id, region, name)
        );
        CREATE INDEX aliases_by_key ON aliases (target_key_id);
        CREATE TABLE access_keys (
            access_key_id TEXT PRIMARY KEY,
            account_id    TEXT NOT NULL,
            principal_arn TEXT NOT NULL,
            user_name     TEXT NOT NULL,
            status        INTEGER NOT NULL,
            sealed_secret BLOB NOT NULL,
            created_ms    INTEGER NOT NULL
        );
        """,
        """
        CREATE TABLE key_policies (
            key_id   TEXT PRIMARY KEY REFERENCES keys (key_id) ON DELETE CASCADE,
            document TEXT NOT NULL
        );
        CREATE TABLE principals (
            arn                 TEXT PRIMARY KEY,
            account_id          TEXT NOT NULL,
            kind                INTEGER NOT NULL,
            name                TEXT NOT NULL,
            unique_id           TEXT NOT NULL,
            path                TEXT NOT NULL,
            created_ms          INTEGER NOT NULL,
            trust_policy        TEXT,
            max_session_seconds INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX principals_by_name ON principals (account_id, kind, name COLLATE NOCASE);
        CREATE TABLE principal_policies (
            principal_arn TEXT NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
            name          TEXT NOT NULL,
            document      TEXT NOT NULL,
            PRIMARY KEY (principal_arn, name)
        );
        CREATE TABLE principal_tags (
            principal_arn TEXT NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
            tag_key       TEXT NOT NULL,
            tag_value     TEXT NOT NULL,
            PRIMARY KEY (principal_arn, tag_key)
        );
        CREATE INDEX access_keys_by_principal ON access_keys (principal_arn);
        CREATE TABLE sessions (
            access_key_id  TEXT PRIMARY KEY,
            account_id     TEXT NOT NULL,
            role_arn       TEXT NOT NULL,
            role_unique_id TEXT NOT NULL,
            session_name   TEXT NOT NULL,
            sealed_secret  BLOB NOT NULL,
            token_hash     BLOB NOT NULL,
            expires_ms     INTEGER NOT NULL,
            created_ms     INTEGER NOT NULL
        );
        CREATE TABLE grants (
            grant_id          TEXT PRIMARY KEY,
            key_id            TEXT NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
            name              TEXT,
            grantee           TEXT NOT NULL,
            retiring          TEXT,
            operations        TEXT NOT NULL,
            context_equals    TEXT,
            context_subset    TEXT,
            issuing_account   TEXT NOT NULL,
            created_ms        INTEGER NOT NULL
        );
        CREATE INDEX grants_by_key ON grants (key_id);
        CREATE INDEX grants_by_retiring ON grants (retiring);
        """,
        // Authorization reads only the grants naming the caller.
        """
        CREATE INDEX grants_by_key_grantee ON grants (key_id, grantee);
        """,
        // Key rotation: the schedule on the key, and how each later material version was made.
        """
        ALTER TABLE keys ADD COLUMN rotation_period_days INTEGER;
        ALTER TABLE keys ADD COLUMN next_rotation_ms INTEGER;
        ALTER TABLE keys ADD COLUMN on_demand_rotations INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE key_material ADD COLUMN rotation_type TEXT;
        CREATE INDEX keys_by_rotation ON keys (next_rotation_ms) WHERE next_rotation_ms IS NOT NULL;
        """,
        // Imported key material: its expiry and id on the key, and the parameters of the latest GetParametersForImport.
        """
        ALTER TABLE keys ADD COLUMN expiration_model TEXT;
        ALTER TABLE keys ADD COLUMN valid_to_ms INTEGER;
        ALTER TABLE keys ADD COLUMN imported_material_id TEXT;
        CREATE TABLE import_parameters (
            key_id             TEXT PRIMARY KEY REFERENCES keys (key_id) ON DELETE CASCADE,
            token_hash         BLOB NOT NULL,
            wrapping_algorithm TEXT NOT NULL,
            wrapping_key_spec  TEXT NOT NULL,
            sealed_private_key BLOB NOT NULL,
            valid_to_ms        INTEGER NOT NULL
        );
        """,
        // GetKeyLastUsage: one row per key, written in batches from memory, never per request.
        """
        CREATE TABLE key_last_usage (
            key_id     TEXT PRIMARY KEY REFERENCES keys (key_id) ON DELETE CASCADE,
            operation  TEXT NOT NULL,
            used_ms    INTEGER NOT NULL,
            event_id   TEXT NOT NULL,
            request_id TEXT NOT NULL
        );
        """,
        // Imported material per version: several can be imported into one key, and a deleted
        // version keeps its id (with empty material) so that importing it again is recognised.
        """
        ALTER TABLE key_material ADD COLUMN material_id TEXT;
        ALTER TABLE key_material ADD COLUMN expiration_model TEXT;
        ALTER TABLE key_material ADD COLUMN valid_to_ms INTEGER;
        ALTER TABLE key_material ADD COLUMN description TEXT;
        ALTER TABLE key_material ADD COLUMN rotated_ms INTEGER;
        CREATE INDEX key_material_by_valid_to ON key_material (valid_to_ms) WHERE valid_to_ms IS NOT NULL;
        """,
    ];
}
