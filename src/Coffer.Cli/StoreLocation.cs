using Coffer.Server;

namespace Coffer.Cli;

/// <summary>
/// A store named in one argument, as <c>migrate-store</c> takes two: <c>sqlite:DIR</c> or
/// <c>postgres:CONNECTION</c>. An empty connection (<c>postgres:</c>) comes from
/// <c>COFFER_POSTGRES_CONNECTION</c>, and one holding a password is refused, as for <c>--postgres-connection</c>.
/// </summary>
internal static class StoreLocation
{
    /// <summary>The store, or the usage error for <paramref name="flag"/>.</summary>
    public static (StorageOptions? Storage, string? Problem) Parse(string flag, string? value)
    {
        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (value is null || colon <= 0)
        {
            return (null, $"{flag}: '{value}' names no store; use sqlite:DIR or postgres:CONNECTION (postgres: alone reads {StorageOptions.PostgresConnectionVariable}).");
        }

        var engine = value[..colon];
        var where = value[(colon + 1)..];
        if (StorageOptions.Unknown(engine) is { } unknown)
        {
            return (null, $"{flag}: {unknown}");
        }

        if (engine == StorageOptions.Sqlite)
        {
            return where.Length == 0
                ? (null, $"{flag}: sqlite: needs the data folder, as in sqlite:/var/lib/coffer.")
                : (new StorageOptions { Engine = engine, DataDir = Path.GetFullPath(where) }, null);
        }

        if (where.Length > 0 && StorageOptions.HasPassword(where))
        {
            return (null, $"{flag}: the connection string holds a password, which other users of this machine can read on a command line; "
                + $"put it in PGPASSWORD or ~/.pgpass, or the whole string in {StorageOptions.PostgresConnectionVariable} and write postgres: alone.");
        }

        var storage = new StorageOptions
        {
            Engine = engine,
            DataDir = Directory.GetCurrentDirectory(),
            PostgresConnection = where.Length > 0 ? where : StorageFlag.Connection(null),
        };
        return storage.Problem() is { } problem ? (null, $"{flag}: {problem}") : (storage, null);
    }
}
