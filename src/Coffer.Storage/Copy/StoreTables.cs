namespace Coffer.Storage.Copy;

/// <summary>How a column's values travel between engines. Persisted in backups: only add.</summary>
public enum ColumnType : byte
{
    /// <summary>A string.</summary>
    Text = 1,

    /// <summary>A whole number, carried as <see cref="long"/> whatever width the engine stores.</summary>
    Integer = 2,

    /// <summary>Bytes (sealed records, hashes, signatures), copied as they are.</summary>
    Blob = 3,

    /// <summary>A truth value: SQLite stores 0 or 1, PostgreSQL a boolean.</summary>
    Boolean = 4,
}

/// <summary>One column of a copied table.</summary>
public sealed record CopyColumn(string Name, ColumnType Type);

/// <summary>
/// One table as every engine holds it: the same name (PostgreSQL's; the SQLite audit file names
/// its two tables without the <c>audit_</c> prefix) and the same columns, in the order rows carry
/// their values, and the key columns that order the rows.
/// </summary>
public sealed record CopyTable(string Name, bool IsAudit, string OrderBy, IReadOnlyList<CopyColumn> Columns)
{
    public string ColumnList => string.Join(", ", Columns.Select(c => c.Name));
}

/// <summary>
/// The whole store in the engine-neutral form that <c>migrate-store</c>, <c>backup</c> and
/// <c>restore</c> move: every table of records and of the audit trail, parents before the tables
/// whose foreign keys name them. Left out on purpose: the schema version tables (the target
/// migrates itself) and the audit probe row (a scratch write, not data).
/// </summary>
/// <remarks>
/// A column added by a migration must be added here in the same change; a reader refuses a table
/// whose column count differs from this list, so a forgotten column fails the copy instead of
/// being dropped silently.
/// </remarks>
public static class StoreTables
{
    private static CopyColumn T(string name) => new(name, ColumnType.Text);
    private static CopyColumn I(string name) => new(name, ColumnType.Integer);
    private static CopyColumn B(string name) => new(name, ColumnType.Blob);

    /// <summary>The audit trail's last sequence ever appended (PostgreSQL keeps it in a row; SQLite reads it off the events).</summary>
    public const string ChainHead = "audit_chain_head";

    public static IReadOnlyList<CopyTable> All { get; } =
    [
        new("settings", false, "name", [T("name"), B("value")]),
        new("keys", false, "key_id",
        [
            T("key_id"), T("account_id"), T("region"), I("created_ms"), T("description"), I("state"), I("deletion_ms"), I("pending_window_days"), T("key_spec"),
            T("key_usage"), T("origin"), T("key_manager"), I("current_version"), I("rotation_period_days"), I("next_rotation_ms"), I("on_demand_rotations"),
            T("expiration_model"), I("valid_to_ms"), T("imported_material_id"),
        ]),
        new("key_material", false, "key_id, version",
        [
            T("key_id"), I("version"), B("sealed"), I("created_ms"), T("rotation_type"), T("material_id"), T("expiration_model"), I("valid_to_ms"), T("description"),
            I("rotated_ms"),
        ]),
        new("key_tags", false, "key_id, tag_key", [T("key_id"), T("tag_key"), T("tag_value")]),
        new("key_policies", false, "key_id", [T("key_id"), T("document")]),
        new("aliases", false, "account_id, region, name", [T("account_id"), T("region"), T("name"), T("target_key_id"), I("created_ms"), I("updated_ms")]),
        new("import_parameters", false, "key_id",
            [T("key_id"), B("token_hash"), T("wrapping_algorithm"), T("wrapping_key_spec"), B("sealed_private_key"), I("valid_to_ms")]),
        new("key_last_usage", false, "key_id", [T("key_id"), T("operation"), I("used_ms"), T("event_id"), T("request_id")]),
        new("access_keys", false, "access_key_id",
            [T("access_key_id"), T("account_id"), T("principal_arn"), T("user_name"), I("status"), B("sealed_secret"), I("created_ms")]),
        new("principals", false, "arn",
            [T("arn"), T("account_id"), I("kind"), T("name"), T("unique_id"), T("path"), I("created_ms"), T("trust_policy"), I("max_session_seconds")]),
        new("principal_policies", false, "principal_arn, name", [T("principal_arn"), T("name"), T("document")]),
        new("principal_tags", false, "principal_arn, tag_key", [T("principal_arn"), T("tag_key"), T("tag_value")]),
        new("sessions", false, "access_key_id",
        [
            T("access_key_id"), T("account_id"), T("role_arn"), T("role_unique_id"), T("session_name"), B("sealed_secret"), B("token_hash"), I("expires_ms"),
            I("created_ms"),
        ]),
        new("grants", false, "grant_id",
        [
            T("grant_id"), T("key_id"), T("name"), T("grantee"), T("retiring"), T("operations"), T("context_equals"), T("context_subset"), T("issuing_account"),
            I("created_ms"),
        ]),
        new("audit_events", true, "seq",
        [
            I("seq"), I("event_time_ms"), T("event_id"), T("event_name"), T("event_source"), T("account_id"), T("principal_arn"), T("user_name"), T("access_key_id"),
            T("error_code"), T("source_ip"), new("read_only", ColumnType.Boolean), T("resources"), T("json"), B("hash"),
        ]),
        new("audit_digests", true, "seq", [I("seq"), I("created_ms"), T("json"), B("signature")]),
        new(ChainHead, true, "id", [I("id"), I("last_seq")]),
    ];

    /// <summary>The table of that name, or null.</summary>
    public static CopyTable? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
