using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Coffer.Audit;
using Coffer.Crypto;
using Coffer.Server;
using Coffer.Storage;
using Spectre.Console;

namespace Coffer.Cli;

/// <summary>
/// <c>coffer audit verify | query | export | public-key</c>: reading and checking the trail, offline,
/// through the storage contracts, so they work on whichever engine <c>--storage</c> names.
/// </summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Read, export and verify the audit trail. Reads the store directly, with no server needed (a running server may keep writing).");
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(Query());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(PublicKey());
        return command;
    }

    private static Option<string> DataDir() => new("--data-dir")
    {
        Description = "The data folder",
        HelpName = "DIR",
        DefaultValueFactory = _ => ServerCommand.DevDataDir,
    };

    private static Command Verify()
    {
        var dataDir = DataDir();
        var storage = StorageFlag.Create();
        var file = new Option<string?>("--file") { Description = "Verify an export (from 'coffer audit export') instead of a data folder", HelpName = "FILE" };
        var publicKey = new Option<string?>("--public-key")
        {
            Description = "The audit public key (PEM) to trust, from a copy kept apart from the data folder. Without it the key stored in the data folder is used, "
                + "which proves nothing against someone who can write that folder (verify warns on standard error).",
            HelpName = "FILE",
        };
        var through = new Option<string?>("--through")
        {
            Description = "Fail (exit 1) unless a signed digest proves the trail up to this time: ISO 8601, UTC unless an offset is given, or an age such as 2m. "
                + "Use the time the server stopped, or now minus the digest interval for a running server; an earlier end means the trail was cut back.",
            HelpName = "TIME",
        };
        var verify = new Command("verify",
            "Check the signed digests and the hash chain; name the first event edited, removed, inserted or reordered. Prints the time up to which the trail is proven "
            + "(the last signed digest) and names events after it as unproven. Exits 1 if anything is wrong.")
        {
            dataDir, storage.Engine, storage.Connection, file, publicKey, through,
        };
        StorageFlag.Validate(verify, storage);
        verify.SetAction(async (result, cancellationToken) =>
        {
            DateTimeOffset? required;
            try
            {
                required = ParseTime(result.GetValue(through));
            }
            catch (FormatException error)
            {
                Console.Error.WriteLine($"coffer: --through: {error.Message}");
                return ExitCodes.Usage;
            }

            try
            {
                var stores = StorageFlag.Read(result, storage, dataDir);
                var dir = stores.DataDir;
                var exportFile = result.GetValue(file);
                byte[] key;
                if (result.GetValue(publicKey) is { } keyFile)
                {
                    key = AuditSigningKey.PublicKeyFromPem(await File.ReadAllTextAsync(keyFile, cancellationToken))
                        ?? throw new IOException($"{keyFile} is not a PEM public key.");
                }
                else
                {
                    key = await StoredPublicKeyAsync(stores, cancellationToken);
                    Console.Error.WriteLine(exportFile is null
                        ? $"coffer: WARNING: no --public-key, so the audit public key was read from {dir}, the folder under check: this proves nothing against anyone who can write that folder."
                        : $"coffer: WARNING: no --public-key, so the audit public key was read from the data folder {dir}: this proves nothing against anyone who can write that folder.");
                }

                VerificationResult outcome;
                if (exportFile is not null)
                {
                    var (records, digests, start) = AuditExport.Read(await File.ReadAllLinesAsync(exportFile, cancellationToken));
                    outcome = AuditVerifier.Verify(records, digests, key, start);
                }
                else
                {
                    await using var store = await StoreFactory.OpenExistingAuditStoreAsync(stores, cancellationToken);
                    // Digests first: an event committed in between then shows as unproven rather than as a digest's missing event.
                    var digests = await store.ReadDigestsAsync(cancellationToken);
                    var records = await store.QueryAsync(new AuditFilter { Limit = int.MaxValue }, cancellationToken);
                    outcome = AuditVerifier.Verify(records, digests, key);
                }

                if (!outcome.Ok)
                {
                    return Failed(outcome.Summary);
                }

                if (required is { } time && ShortOf(outcome.Proof!, time) is { } shortfall)
                {
                    return Failed(shortfall);
                }

                Console.WriteLine(outcome.Summary);
                return ExitCodes.Success;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
            {
                return Failed(error.Message);
            }
        });
        return verify;

        static int Failed(string why)
        {
            Console.Error.WriteLine($"coffer: audit verification FAILED: {why}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>Why the proven trail does not reach <paramref name="required"/>, or null when it does.</summary>
    private static string? ShortOf(TrailProof proof, DateTimeOffset required)
    {
        var wanted = TrailProof.Format(required);
        if (proof.LastDigest is not { } last)
        {
            return $"the trail is proven only through no time at all (there is no signed digest), not through {wanted}.";
        }

        return last.CreatedAt >= required
            ? null
            : $"the trail is proven only through {TrailProof.Format(last.CreatedAt)} (digest #{last.Sequence}), before {wanted}: "
                + "the digests after it were removed (the trail was cut back), or the server was not running unsealed until then.";
    }

    private static Command Query()
    {
        var dataDir = DataDir();
        var storage = StorageFlag.Create();
        var since = new Option<string?>("--since") { Description = "Start: an ISO 8601 time or an age such as 15m, 2h, 7d", HelpName = "TIME" };
        var until = new Option<string?>("--until") { Description = "End: an ISO 8601 time or an age", HelpName = "TIME" };
        var key = new Option<string?>("--key") { Description = "Only events about this key ARN", HelpName = "ARN" };
        var principal = new Option<string?>("--principal") { Description = "Only events by this principal ARN or user name", HelpName = "ARN|NAME" };
        var eventName = new Option<string?>("--event-name") { Description = "Only events of this name (Encrypt, CreateUser, …)", HelpName = "NAME" };
        var errorCode = new Option<string?>("--error-code") { Description = "Only events that failed with this code", HelpName = "CODE" };
        var sourceIp = new Option<string?>("--source-ip") { Description = "Only events from this address", HelpName = "IP" };
        var limit = new Option<int>("--limit") { Description = "At most this many events, newest first", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--output") { Description = "table or json (JSON lines of CloudTrail events)", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var query = new Command("query", "Show audit events, newest first, filtered by time, key, principal, event name, error code or source IP.")
        {
            dataDir, storage.Engine, storage.Connection, since, until, key, principal, eventName, errorCode, sourceIp, limit, output,
        };
        StorageFlag.Validate(query, storage);
        query.SetAction((result, cancellationToken) => ReportErrorsAsync(async () =>
        {
            var filter = new AuditFilter
            {
                Start = ParseTime(result.GetValue(since)),
                End = ParseTime(result.GetValue(until)),
                Resource = result.GetValue(key),
                Principal = result.GetValue(principal),
                EventName = result.GetValue(eventName),
                ErrorCode = result.GetValue(errorCode),
                SourceIp = result.GetValue(sourceIp),
                NewestFirst = true,
                Limit = Math.Max(1, result.GetValue(limit)),
            };
            await using var store = await StoreFactory.OpenExistingAuditStoreAsync(StorageFlag.Read(result, storage, dataDir), cancellationToken);
            var events = await store.QueryAsync(filter, cancellationToken);
            if (result.GetValue(output) == "json")
            {
                foreach (var e in events)
                {
                    Console.WriteLine(e.Json);
                }

                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("time (UTC)", "event", "principal", "source IP", "resources", "error");
            foreach (var e in events)
            {
                table.AddRow(Markup.Escape(e.EventTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)), Markup.Escape(e.EventName),
                    Markup.Escape(e.PrincipalArn ?? "-"), Markup.Escape(e.SourceIp ?? "-"), Markup.Escape(e.Resources.Length == 0 ? "-" : e.Resources),
                    Markup.Escape(e.ErrorCode ?? ""));
            }

            AnsiConsole.Write(table);
            return ExitCodes.Success;
        }));
        return query;
    }

    private static Command Export()
    {
        var dataDir = DataDir();
        var storage = StorageFlag.Create();
        var since = new Option<string?>("--since") { Description = "Export events from this time (ISO 8601 or an age such as 7d); default: all", HelpName = "TIME" };
        var export = new Command("export",
            "Write the trail as verifiable JSON lines to standard output (events with their chain hashes, and every signed digest). "
            + "With --since it starts at the last signed digest before that time, so it may hold up to one digest interval of earlier events.")
        {
            dataDir, storage.Engine, storage.Connection, since,
        };
        StorageFlag.Validate(export, storage);
        export.SetAction((result, cancellationToken) => ReportErrorsAsync(async () =>
        {
            await using var store = await StoreFactory.OpenExistingAuditStoreAsync(StorageFlag.Read(result, storage, dataDir), cancellationToken);
            await AuditExport.WriteAsync(Console.Out, store, ParseTime(result.GetValue(since)), cancellationToken);
            return ExitCodes.Success;
        }));
        return export;
    }

    private static Command PublicKey()
    {
        var dataDir = DataDir();
        var command = new Command("public-key", "Print the audit public key (PEM). Keep a copy apart from the data folder for 'audit verify --public-key'.") { dataDir };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var path = Path.Combine(Path.GetFullPath(result.GetValue(dataDir)!), AuditKeys.PublicKeyFileName);
                Console.Write(await File.ReadAllTextAsync(path, cancellationToken));
                Console.WriteLine();
                return ExitCodes.Success;
            }
            catch (IOException error)
            {
                Console.Error.WriteLine($"coffer: {error.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    /// <summary>Runs a command body, turning a bad time filter into exit 2 and an unreadable folder into exit 1.</summary>
    private static async Task<int> ReportErrorsAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (FormatException error)
        {
            Console.Error.WriteLine($"coffer: {error.Message}");
            return ExitCodes.Usage;
        }
        catch (IOException error)
        {
            Console.Error.WriteLine($"coffer: {error.Message}");
            return ExitCodes.Failure;
        }
    }

    private static async Task<byte[]> StoredPublicKeyAsync(StorageOptions storage, CancellationToken cancellationToken)
    {
        await using var store = await StoreFactory.OpenExistingStoreAsync(storage, cancellationToken);
        return await store.GetSettingAsync(AuditKeys.PublicSetting, cancellationToken) ?? throw new IOException($"{storage.DataDir} has no audit public key.");
    }

    /// <summary>An ISO 8601 time, or an age before now (<c>90s</c>, <c>15m</c>, <c>2h</c>, <c>7d</c>).</summary>
    private static DateTimeOffset? ParseTime(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > 1 && long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            var age = value[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => (TimeSpan?)null,
            };
            if (age is { } a)
            {
                return TimeProvider.System.GetUtcNow() - a;
            }
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new FormatException($"'{value}' is neither an ISO 8601 time nor an age such as 15m, 2h or 7d.");
    }
}
