using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coffer.Server;

namespace Coffer.Cli;

/// <summary><c>coffer server</c>: runs a Coffer server in the foreground until interrupted.</summary>
internal static partial class ServerCommand
{
    public const string DevDataDir = ".coffer-dev";

    public static Command Create()
    {
        var dev = new Option<bool>("--dev")
        {
            Description = "Run a development server: embedded SQLite store (unless --storage says otherwise), root key in a file in the data folder, an admin key printed at start. Never for real data.",
        };
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = $"Folder for the store, the dev root key and the admin credentials [default with --dev: ./{DevDataDir}]",
            HelpName = "DIR",
        };
        var storage = StorageFlag.Create();
        var listen = new Option<string>("--listen")
        {
            Description = "Address to listen on, HOST:PORT",
            HelpName = "HOST:PORT",
            DefaultValueFactory = _ => ServerOptions.DefaultListen,
        };
        var regions = new Option<string[]>("--region")
        {
            Description = "A region to serve (repeatable). Without it a dev server serves any region a request is signed for, each isolated as on AWS.",
            HelpName = "REGION",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var account = new Option<string>("--account-id")
        {
            Description = "The 12-digit account id of the dev account",
            HelpName = "ID",
            DefaultValueFactory = _ => ServerOptions.DefaultAccountId,
        };

        var digestInterval = new Option<int>("--audit-digest-interval")
        {
            Description = "Seconds between signed audit digests, written even when no request came, so 'audit verify --through' can tell a cut-off trail by its time (one is also written at shutdown)",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 60,
        };
        var keyJobsInterval = new Option<int>("--key-jobs-interval")
        {
            Description = "Seconds between passes of the key jobs: destroying keys whose deletion window has ended, rotating keys whose automatic rotation date has come, and deleting imported key material whose ValidTo has passed",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 60,
        };
        var retention = new Option<int?>("--audit-retention-days")
        {
            Description = "Remove audit events older than this many days, after a signed digest records the removal [default: keep forever]",
            HelpName = "DAYS",
        };

        var tlsCert = new Option<string?>("--tls-cert") { Description = "TLS certificate (PEM) for HTTPS", HelpName = "FILE" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "TLS private key (PEM) for HTTPS", HelpName = "FILE" };
        var insecure = new Option<bool>("--insecure-http") { Description = "Serve plain HTTP without --dev; allowed only on a loopback address" };
        var pinFile = new Option<string?>("--pkcs11-pin-file") { Description = "A file holding the HSM user PIN for a pkcs11 seal (else COFFER_PKCS11_PIN)", HelpName = "FILE" };
        var pkcs11Library = new Option<string?>("--pkcs11-library")
        {
            Description = "The HSM's PKCS#11 library (.so) for a pkcs11-sealed data folder: required there, and must be the one given to 'coffer init'",
            HelpName = "FILE",
        };
        var devAllowRemote = new Option<bool>("--dev-allow-remote")
        {
            Description = "Let --dev listen on a non-loopback address (a dev server's root key is a file beside its data)",
        };
        var config = new Option<string?>("--config")
        {
            Description = "A TOML or JSON file of settings named like these flags (tls-cert = \"…\"); flags, then COFFER_<FLAG> environment variables, take precedence",
            HelpName = "FILE",
        };

        var command = new Command("server", """
            Run a Coffer server in the foreground until interrupted (Ctrl-C or SIGTERM).

            With --dev, the admin's access key comes from COFFER_DEV_ACCESS_KEY_ID and
            COFFER_DEV_SECRET_ACCESS_KEY when both are set; otherwise it is generated (or reused from
            DIR/credentials), printed, and written to DIR/credentials as AWS profile 'coffer'.
            --dev listens on loopback only unless --dev-allow-remote is also given.

            A data folder sealed by an HSM (coffer init --seal pkcs11) needs --pkcs11-library, naming
            the same library as at init; the server refuses to start without it or when they differ.
            """)
        {
            dev, devAllowRemote, dataDir, storage.Engine, storage.Connection, listen, regions, account, digestInterval, keyJobsInterval, retention, tlsCert, tlsKey, insecure, pkcs11Library, pinFile, config,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            ServerSettings settings;
            try
            {
                settings = ServerSettings.Load(result, result.GetValue(config));
            }
            catch (Exception error) when (error is IOException or FormatException or JsonException)
            {
                return Fail(ExitCodes.Usage, $"--config: {error.Message}");
            }

            var envId = Environment.GetEnvironmentVariable("COFFER_DEV_ACCESS_KEY_ID");
            var envSecret = Environment.GetEnvironmentVariable("COFFER_DEV_SECRET_ACCESS_KEY");
            string listenValue, accountValue, storageValue;
            string[] regionValues;
            bool isDev, allowRemote;
            int digestSeconds, keyJobsSeconds;
            int? retentionDays;
            try
            {
                listenValue = settings.Text(listen) ?? result.GetValue(listen)!;
                storageValue = settings.Text(storage.Engine) ?? result.GetValue(storage.Engine)!;
                accountValue = settings.Text(account) ?? result.GetValue(account)!;
                regionValues = settings.Values(regions);
                isDev = settings.Flag(dev);
                allowRemote = settings.Flag(devAllowRemote);
                digestSeconds = settings.Number(digestInterval) ?? result.GetValue(digestInterval);
                keyJobsSeconds = settings.Number(keyJobsInterval) ?? result.GetValue(keyJobsInterval);
                retentionDays = settings.Number(retention);
            }
            catch (FormatException error)
            {
                return Fail(ExitCodes.Usage, error.Message);
            }

            var dataDirValue = settings.Text(dataDir);
            if (!isDev && dataDirValue is null)
            {
                return Fail(ExitCodes.Usage, "give --data-dir (a folder made by 'coffer init'), or --dev for a development server.");
            }

            // The flag was checked as it was parsed; COFFER_STORAGE and the config file are checked here.
            if (StorageFlag.Problem(storageValue) is { } storageProblem)
            {
                return Fail(ExitCodes.Usage, storageProblem);
            }

            // Flag, then COFFER_POSTGRES_CONNECTION whole, then the config file's postgres-connection.
            var fullDataDir = Path.GetFullPath(dataDirValue ?? DevDataDir);
            var connectionFlag = result.GetValue(storage.Connection);
            var storageOptions = new StorageOptions
            {
                Engine = storageValue,
                DataDir = fullDataDir,
                PostgresConnection = storageValue == StorageOptions.Postgres ? StorageFlag.Connection(connectionFlag, settings.Text(storage.Connection)) : connectionFlag,
            };
            if (storageOptions.Problem() is { } connectionProblem)
            {
                return Fail(ExitCodes.Usage, connectionProblem);
            }

            if ((settings.Text(tlsCert) is null) != (settings.Text(tlsKey) is null))
            {
                return Fail(ExitCodes.Usage, "--tls-cert and --tls-key go together.");
            }

            if (!ListenEndpoint.TryParse(listenValue, out var endpoint, out var listenError))
            {
                return Fail(ExitCodes.Usage, $"--listen: {listenError}");
            }

            if (isDev && !System.Net.IPAddress.IsLoopback(endpoint.Address) && !allowRemote)
            {
                // A dev server's root key sits beside its data and its admin key is printed: on the
                // network, that should be a decision, not a typo in --listen.
                return Fail(ExitCodes.Usage, $"--dev on {endpoint.Address}, which is not a loopback address, also needs --dev-allow-remote.");
            }

            if (!AccountId().IsMatch(accountValue))
            {
                return Fail(ExitCodes.Usage, $"--account-id: '{accountValue}' is not a 12-digit account id.");
            }

            if (regionValues.FirstOrDefault(r => !RegionPolicy.RegionName().IsMatch(r)) is { } badRegion)
            {
                return Fail(ExitCodes.Usage, $"--region: '{badRegion}' is not a region name such as us-east-1.");
            }

            if (digestSeconds < 1 || keyJobsSeconds < 1 || retentionDays is < 1)
            {
                return Fail(ExitCodes.Usage, "--audit-digest-interval, --key-jobs-interval and --audit-retention-days take a positive number.");
            }

            if (string.IsNullOrEmpty(envId) != string.IsNullOrEmpty(envSecret))
            {
                return Fail(ExitCodes.Usage, "set both COFFER_DEV_ACCESS_KEY_ID and COFFER_DEV_SECRET_ACCESS_KEY, or neither.");
            }

            var options = new ServerOptions
            {
                Dev = isDev,
                DataDir = fullDataDir,
                Storage = storageOptions,
                TlsCertPath = settings.Text(tlsCert),
                TlsKeyPath = settings.Text(tlsKey),
                InsecureHttp = settings.Flag(insecure),
                Pkcs11Pin = Pin.Read(settings.Text(pinFile)),
                Pkcs11Library = settings.Text(pkcs11Library),
                Listen = listenValue,
                Regions = regionValues,
                AccountId = accountValue,
                DevAccessKeyId = string.IsNullOrEmpty(envId) ? null : envId,
                DevSecretAccessKey = string.IsNullOrEmpty(envSecret) ? null : envSecret,
                AuditDigestInterval = TimeSpan.FromSeconds(digestSeconds),
                KeyJobsInterval = TimeSpan.FromSeconds(keyJobsSeconds),
                AuditRetention = retentionDays is { } days ? TimeSpan.FromDays(days) : null,
            };

            CofferApp app;
            try
            {
                app = await CofferApp.StartAsync(options, cancellationToken);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or Barrier.SealException
                or System.Security.Cryptography.CryptographicException)
            {
                return Fail(ExitCodes.Failure, error.Message);
            }

            await using (app)
            {
                try
                {
                    await Task.WhenAny(app.WaitForShutdownAsync(), Task.Delay(Timeout.Infinite, cancellationToken));
                }
                catch (OperationCanceledException)
                {
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"coffer: {message}");
        return code;
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();
}
