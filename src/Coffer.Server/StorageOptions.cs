namespace Coffer.Server;

/// <summary>
/// Which storage engine holds a deployment's records, and where. The server and every operator
/// command that reads a store take the same options, so a command works on whatever engine the
/// server runs on. Stores are opened only through <see cref="StoreFactory"/>.
/// </summary>
public sealed record StorageOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Where the PostgreSQL connection string comes from when no flag gives it.</summary>
    public const string PostgresConnectionVariable = "COFFER_POSTGRES_CONNECTION";

    /// <summary>The engines this build can open, the default first.</summary>
    public static IReadOnlyList<string> Engines { get; } = [Sqlite, Postgres];

    public string Engine { get; init; } = Sqlite;

    /// <summary>The data folder: SQLite keeps its files here, and every engine its audit public key and credentials.</summary>
    public required string DataDir { get; init; }

    /// <summary>
    /// For <see cref="Postgres"/>: an Npgsql connection string, normally without a password, which
    /// Npgsql then takes from <c>PGPASSWORD</c> or the pgpass file (<c>PGPASSFILE</c>, else <c>~/.pgpass</c>).
    /// </summary>
    public string? PostgresConnection { get; init; }

    /// <summary>Why <paramref name="engine"/> cannot be opened by this build, or null when it can.</summary>
    public static string? Unknown(string? engine) => engine is not null && Engines.Contains(engine, StringComparer.Ordinal)
        ? null
        : $"'{engine}' is not a storage engine this build has; use {string.Join(" or ", Engines)}.";

    /// <summary>
    /// Why these options cannot name a store, or null when they can: an unknown engine, PostgreSQL
    /// without a connection string or with one Npgsql cannot read, or a connection string where the
    /// engine takes none.
    /// </summary>
    public string? Problem() => Unknown(Engine) ?? (Engine, PostgresConnection) switch
    {
        (Postgres, null or "") =>
            $"--storage postgres needs --postgres-connection or {PostgresConnectionVariable} (a connection string; its password from PGPASSWORD or ~/.pgpass).",
        (Postgres, _) when Storage.Postgres.PostgresConnection.Problem(PostgresConnection) is { } why => $"--postgres-connection: {why}",
        (not Postgres, { Length: > 0 }) => $"--postgres-connection is for --storage postgres, not {Engine}.",
        _ => null,
    };

    /// <summary>Whether <paramref name="connection"/> holds a password, which must never be given on a command line.</summary>
    public static bool HasPassword(string connection) => Storage.Postgres.PostgresConnection.Problem(connection) is null && Storage.Postgres.PostgresConnection.HasPassword(connection);

    /// <summary>Names the store for messages, never with a password: the data folder, or the PostgreSQL database.</summary>
    public string Describe() => Engine == Postgres && PostgresConnection is { Length: > 0 } connection
        ? $"the PostgreSQL database ({Storage.Postgres.PostgresConnection.Describe(connection)})"
        : DataDir;
}
