using System.CommandLine;
using Coffer.Server;

namespace Coffer.Cli;

/// <summary>
/// <c>coffer migrate</c>: brings a store's schema up to date and does nothing else. The server
/// migrates at start too; an operator runs this first to see the migration succeed on its own,
/// before any node serves (each migration step is a transaction, and PostgreSQL nodes take an
/// advisory lock around it, so a node starting meanwhile waits rather than migrating twice).
/// </summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "The data folder (SQLite keeps its files there)",
            HelpName = "DIR",
            DefaultValueFactory = _ => ServerCommand.DevDataDir,
        };
        var storage = StorageFlag.Create();
        var migrate = new Command("migrate", "Bring the store's schema (records and audit trail) up to date, then exit.") { dataDir, storage.Engine, storage.Connection };
        StorageFlag.Validate(migrate, storage);
        migrate.SetAction(async (result, cancellationToken) =>
        {
            var options = StorageFlag.Read(result, storage, dataDir);
            try
            {
                await using (await StoreFactory.OpenStoreAsync(options, cancellationToken))
                {
                }

                await using (var audit = StoreFactory.AuditStore(options))
                {
                    await audit.InitializeAsync(cancellationToken);
                }

                Console.WriteLine($"coffer: the {options.Engine} store's schema is up to date.");
                return ExitCodes.Success;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException)
            {
                Console.Error.WriteLine($"coffer: {error.Message}");
                return ExitCodes.Failure;
            }
        });
        return migrate;
    }
}
