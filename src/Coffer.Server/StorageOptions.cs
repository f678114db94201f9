namespace Coffer.Server;

/// <summary>
/// Which storage engine holds a deployment's records, and where. The server and every operator
/// command that reads a store take the same options, so a command works on whatever engine the
/// server runs on. Stores are opened only through <see cref="StoreFactory"/>.
/// </summary>
public sealed record StorageOptions
{
    public const string Sqlite = "sqlite";

    /// <summary>The engines this build can open, the default first.</summary>
    public static IReadOnlyList<string> Engines { get; } = [Sqlite];

    public string Engine { get; init; } = Sqlite;

    /// <summary>The data folder: SQLite keeps its files here, and every engine its audit public key and credentials.</summary>
    public required string DataDir { get; init; }

    /// <summary>Why <paramref name="engine"/> cannot be opened by this build, or null when it can.</summary>
    public static string? Unknown(string? engine) => engine is not null && Engines.Contains(engine, StringComparer.Ordinal)
        ? null
        : $"'{engine}' is not a storage engine this build has; use {string.Join(" or ", Engines)}.";
}
