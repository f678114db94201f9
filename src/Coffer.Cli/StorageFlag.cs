using System.CommandLine;
using Coffer.Server;

namespace Coffer.Cli;

/// <summary>
/// <c>--storage</c> and <c>--postgres-connection</c>, defined once for <c>server</c> and every
/// command that reads a store, so they agree on the engine names, the default, where the
/// connection string comes from and the errors for what cannot be opened.
/// </summary>
internal static class StorageFlag
{
    /// <summary>The two options, to add to a command together.</summary>
    public sealed record Options(Option<string> Engine, Option<string?> Connection);

    public static Options Create()
    {
        var option = new Option<string>("--storage")
        {
            Description = $"The storage engine: {StorageOptions.Sqlite} (files in the data folder) or {StorageOptions.Postgres} (a database shared by several nodes)",
            HelpName = "ENGINE",
            DefaultValueFactory = _ => StorageOptions.Sqlite,
        };
        option.Validators.Add(result =>
        {
            if (Problem(result.GetValueOrDefault<string>()) is { } problem)
            {
                result.AddError(problem);
            }
        });
        var connection = new Option<string?>("--postgres-connection")
        {
            Description = $"With --storage postgres: an Npgsql connection string such as 'Host=db;Database=coffer;Username=coffer' [default: {StorageOptions.PostgresConnectionVariable}]. "
                + "Never put the password here: it comes from PGPASSWORD or ~/.pgpass (PGPASSFILE), or give the whole string in "
                + StorageOptions.PostgresConnectionVariable,
            HelpName = "CONNECTION",
        };
        connection.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && StorageOptions.HasPassword(value))
            {
                result.AddError($"--postgres-connection: the connection string holds a password, which other users of this machine can read on a command line; "
                    + $"put it in PGPASSWORD or ~/.pgpass, or the whole string in {StorageOptions.PostgresConnectionVariable}.");
            }
        });
        return new Options(option, connection);
    }

    /// <summary>The usage error for <paramref name="engine"/>, or null when this build can open it.</summary>
    public static string? Problem(string? engine) => StorageOptions.Unknown(engine) is { } why ? $"--storage: {why}" : null;

    /// <summary>
    /// The connection string: the flag's, else <c>COFFER_POSTGRES_CONNECTION</c>'s whole value (not
    /// split at commas as other variables are: a multi-host string has them), else the fallback.
    /// </summary>
    public static string? Connection(string? flag, string? fallback = null) =>
        flag ?? (Environment.GetEnvironmentVariable(StorageOptions.PostgresConnectionVariable) is { Length: > 0 } env ? env : fallback);

    /// <summary>
    /// Makes <paramref name="command"/> refuse, as a usage error, options that name no store:
    /// PostgreSQL without a connection string, or one Npgsql cannot read, or a connection string
    /// given for SQLite. (<c>server</c> checks this itself, once its config file is read.)
    /// </summary>
    public static void Validate(Command command, Options storage) => command.Validators.Add(result =>
    {
        // A command's validator sees no value for an option left to its default.
        var engine = result.GetValue(storage.Engine) ?? StorageOptions.Sqlite;
        if (Problem(engine) is null && Resolve(engine, result.GetValue(storage.Connection), "/").Problem() is { } problem)
        {
            result.AddError(problem);
        }
    });

    /// <summary>The storage a command was pointed at, its data folder made absolute.</summary>
    public static StorageOptions Read(ParseResult result, Options storage, Option<string> dataDir) =>
        Resolve(result.GetValue(storage.Engine)!, result.GetValue(storage.Connection), Path.GetFullPath(result.GetValue(dataDir)!));

    private static StorageOptions Resolve(string engine, string? connectionFlag, string dataDir) => new()
    {
        Engine = engine,
        DataDir = dataDir,
        // The variable is for the PostgreSQL engine only: set in a shell, it must not break a SQLite command.
        PostgresConnection = engine == StorageOptions.Postgres ? Connection(connectionFlag) : connectionFlag,
    };
}
