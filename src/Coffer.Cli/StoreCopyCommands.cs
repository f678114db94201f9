using System.CommandLine;
using System.Globalization;
using Coffer.Crypto;
using Coffer.Server;
using Coffer.Storage.Copy;
using Spectre.Console;

namespace Coffer.Cli;

/// <summary>
/// <c>coffer migrate-store</c>, <c>coffer backup</c> and <c>coffer restore</c>: a whole store
/// (records and audit trail) read in one consistent snapshot and written into an empty store of
/// either engine, directly or through an encrypted backup file. Sealed records travel as they are:
/// the same root key opens them afterwards.
/// </summary>
internal static class StoreCopyCommands
{
    public static Command MigrateStore()
    {
        var from = new Option<string>("--from")
        {
            Description = "The store to copy: sqlite:DIR (the data folder) or postgres:CONNECTION (postgres: alone reads COFFER_POSTGRES_CONNECTION; never a password here)",
            HelpName = "ENGINE:WHERE",
            Required = true,
        };
        var to = new Option<string>("--to")
        {
            Description = "The empty store to copy into, in the same form; refused when it holds any Coffer data",
            HelpName = "ENGINE:WHERE",
            Required = true,
        };
        var command = new Command("migrate-store",
            "Copy a whole store (keys, sealed material, aliases, grants, policies, principals, settings and the audit trail) into an empty store of either engine, "
            + "in one consistent snapshot. Stop the servers first: what they write after the snapshot is not copied. "
            + "The data folder's files (dev root key, audit public key, credentials) are not part of the store.")
        {
            from, to,
        };
        command.Validators.Add(result =>
        {
            foreach (var (option, flag) in new[] { (from, "--from"), (to, "--to") })
            {
                if (StoreLocation.Parse(flag, result.GetValue(option)).Problem is { } problem)
                {
                    result.AddError(problem);
                }
            }
        });
        command.SetAction((result, cancellationToken) => RunAsync(async () =>
        {
            var source = StoreLocation.Parse("--from", result.GetValue(from)).Storage!;
            var target = StoreLocation.Parse("--to", result.GetValue(to)).Storage!;
            await using var snapshot = await StoreFactory.OpenSnapshotAsync(source, cancellationToken);
            await using var copy = await StoreFactory.CreateCopyTargetAsync(target, cancellationToken);
            var copied = await StoreCopy.CopyAsync(snapshot, copy, cancellationToken);
            Summary(copied, $"coffer: copied the store from {source.Describe()} to {target.Describe()}.");
        }));
        return command;
    }

    public static Command Backup()
    {
        var dataDir = DataDir();
        var storage = StorageFlag.Create();
        var key = BackupKeyFlag.Create();
        var output = new Option<string>("--out") { Description = "The backup file to write; refused when it exists", HelpName = "FILE", Required = true };
        var newKey = new Option<bool>("--new-key-file")
        {
            Description = "Make the --key-file first (32 random bytes, owner-only); refused when it exists",
        };
        var command = new Command("backup",
            "Write an encrypted, consistent snapshot of the whole store (records and audit trail) to a file, while servers go on running. "
            + "AES-256-GCM in authenticated chunks under the backup key; the key material inside is sealed under the domain key as well.")
        {
            dataDir, storage.Engine, storage.Connection, output, key.KeyFile, key.Passphrase, newKey,
        };
        StorageFlag.Validate(command, storage);
        BackupKeyFlag.Validate(command, key);
        command.Validators.Add(result =>
        {
            if (result.GetValue(newKey) && result.GetValue(key.KeyFile) is null)
            {
                result.AddError("--new-key-file needs --key-file FILE, the file to make.");
            }
        });
        command.SetAction((result, cancellationToken) => RunAsync(async () =>
        {
            var source = StorageFlag.Read(result, storage, dataDir);
            var path = Path.GetFullPath(result.GetValue(output)!);
            if (File.Exists(path))
            {
                throw new IOException($"{path} exists already; backup never overwrites a file.");
            }

            await using var snapshot = await StoreFactory.OpenSnapshotAsync(source, cancellationToken);
            using var backupKey = result.GetValue(newKey) ? BackupKeyFlag.Create(result.GetValue(key.KeyFile)!) : BackupKeyFlag.Read(result, key);
            // Written beside the target and renamed once complete, so that a failed backup never leaves a file that looks like one.
            var partial = path + ".partial";
            IReadOnlyList<CopiedTable> copied;
            try
            {
                await using (var file = new FileStream(partial, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }))
                {
                    await using (var encrypted = BackupCipher.Encrypt(file, backupKey))
                    {
                        copied = await StoreDump.WriteAsync(snapshot, encrypted, cancellationToken);
                    }

                    file.Flush(flushToDisk: true);
                }

                File.Move(partial, path);
            }
            catch
            {
                File.Delete(partial);
                throw;
            }

            Summary(copied, $"coffer: wrote a backup of {source.Describe()} to {path}.");
        }));
        return command;
    }

    public static Command Restore()
    {
        var dataDir = DataDir();
        var storage = StorageFlag.Create();
        var key = BackupKeyFlag.Create();
        var input = new Option<string>("--in") { Description = "The backup file (from 'coffer backup')", HelpName = "FILE", Required = true };
        var command = new Command("restore",
            "Restore a backup into an empty store of either engine. The whole file is authenticated first: a wrong key, a file cut short or altered writes nothing. "
            + "Bring the root key as before (the dev key file into --data-dir, the Shamir shares, or the HSM).")
        {
            dataDir, storage.Engine, storage.Connection, input, key.KeyFile, key.Passphrase,
        };
        StorageFlag.Validate(command, storage);
        BackupKeyFlag.Validate(command, key);
        command.SetAction((result, cancellationToken) => RunAsync(async () =>
        {
            var target = StorageFlag.Read(result, storage, dataDir);
            var path = result.GetValue(input)!;
            await StoreFactory.EnsureEmptyAsync(target, cancellationToken);
            using var backupKey = BackupKeyFlag.Read(result, key);

            // First pass: authenticate every chunk and check the contents' shape, writing nothing.
            await using (var file = File.OpenRead(path))
            await using (var plain = BackupCipher.Decrypt(file, backupKey))
            await using (var dump = StoreDump.Read(plain))
            {
                foreach (var table in StoreTables.All)
                {
                    await foreach (var _ in dump.ReadAsync(table, cancellationToken))
                    {
                    }
                }

                await dump.ReadEndAsync(cancellationToken);
            }

            // Second pass: write, committing only once this pass too has reached the authenticated end.
            await using (var file = File.OpenRead(path))
            await using (var plain = BackupCipher.Decrypt(file, backupKey))
            await using (var dump = StoreDump.Read(plain))
            await using (var copy = await StoreFactory.CreateCopyTargetAsync(target, cancellationToken))
            {
                var copied = await StoreCopy.CopyAsync(dump, copy, cancellationToken, dump.ReadEndAsync);
                Summary(copied, $"coffer: restored {path} into {target.Describe()}.");
            }
        }));
        return command;
    }

    private static Option<string> DataDir() => new("--data-dir")
    {
        Description = "The data folder (SQLite keeps its files there)",
        HelpName = "DIR",
        DefaultValueFactory = _ => ServerCommand.DevDataDir,
    };

    private static void Summary(IReadOnlyList<CopiedTable> copied, string done)
    {
        var table = new Table().AddColumns("table", "rows");
        table.Columns[1].RightAligned();
        foreach (var (name, rows) in copied)
        {
            table.AddRow(Markup.Escape(name), rows.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        Console.WriteLine(done);
    }

    private static async Task<int> RunAsync(Func<Task> run)
    {
        try
        {
            await run();
            return ExitCodes.Success;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"coffer: {error.Message}");
            return ExitCodes.Failure;
        }
    }
}
