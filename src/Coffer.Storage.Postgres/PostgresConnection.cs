using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>What the host may learn of a connection string without handling its secrets.</summary>
public static class PostgresConnection
{
    /// <summary>Whether the string holds a password (which belongs in PGPASSWORD or a pgpass file, not on a command line).</summary>
    public static bool HasPassword(string connectionString) => !string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(connectionString).Password);

    /// <summary>Host, port, database and user, for messages and logs; never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"host {builder.Host ?? "(default)"}, port {builder.Port}, database {builder.Database ?? builder.Username ?? "(default)"}, user {builder.Username ?? "(default)"}";
    }

    /// <summary>Why the string cannot be used, or null: Npgsql's own complaint about an unknown keyword or a bad value.</summary>
    public static string? Problem(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException error)
        {
            return error.Message;
        }
    }
}
