using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// A real Coffer dev server, in this process, on a free loopback port, with its own data folder
/// and a random admin key. Tests talk to it over HTTP like any client. On PostgreSQL it also has a
/// throwaway database of its own, records and audit trail both, dropped when it is disposed.
/// </summary>
public sealed class TestCoffer : IAsyncDisposable
{
    private readonly PostgresTestDatabase? _database;

    private TestCoffer(CofferApp app, ServerOptions options, PostgresTestDatabase? database)
    {
        App = app;
        Options = options;
        _database = database;
    }

    public CofferApp App { get; }
    public ServerOptions Options { get; }
    public string AccessKeyId => Options.DevAccessKeyId!;
    public string SecretAccessKey => Options.DevSecretAccessKey!;
    public Uri Address => App.Address;
    public string AccountId => Options.AccountId;

    public static async Task<TestCoffer> StartAsync(TimeProvider? clock = null, IReadOnlyList<string>? regions = null, string accountId = ServerOptions.DefaultAccountId,
        Func<string, Storage.IAuditStore>? auditStore = null, TimeSpan? auditRetention = null, Service.KmsLimits? limits = null, TimeSpan? timersEvery = null,
        TimeSpan? keyUsageFlushEvery = null, string engine = StorageOptions.Sqlite)
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-test-").FullName;
        var database = engine == StorageOptions.Postgres ? new PostgresTestDatabase() : null;
        var options = new ServerOptions
        {
            Dev = true,
            DataDir = dataDir,
            Listen = "127.0.0.1:0",
            Regions = regions ?? [],
            AccountId = accountId,
            DevAccessKeyId = "AKIA" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..16],
            DevSecretAccessKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + Convert.ToBase64String(Guid.NewGuid().ToByteArray())[..16],
            Clock = clock ?? TimeProvider.System,
            Console = TextWriter.Null,
            // Null keeps the audit trail on the engine of the records, as a real server does.
            AuditStoreFactory = auditStore,
            AuditRetention = auditRetention,
            Limits = limits ?? new Service.KmsLimits(),
            KeyUsageFlushInterval = keyUsageFlushEvery ?? TimeSpan.FromSeconds(10),
        };
        if (timersEvery is { } every)
        {
            // A fake clock moved by years fires a one-minute timer for every minute it skips.
            options = options with { KeyJobsInterval = every, AuditDigestInterval = every };
        }

        try
        {
            if (database is not null)
            {
                await database.InitializeAsync();
                options = options with
                {
                    Storage = new StorageOptions { Engine = StorageOptions.Postgres, DataDir = dataDir, PostgresConnection = database.ConnectionString },
                };
            }

            return new TestCoffer(await CofferApp.StartAsync(options), options, database);
        }
        catch
        {
            if (database is not null)
            {
                await database.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The <c>./coffer</c> options that name this server's store, for commands run on it as a process.</summary>
    public IReadOnlyList<string> StorageArguments => Options.Storage.Engine == StorageOptions.Postgres
        ? ["--data-dir", Options.DataDir, "--storage", StorageOptions.Postgres, "--postgres-connection", Options.Storage.PostgresConnection!]
        : ["--data-dir", Options.DataDir];

    /// <summary>The AWS SDK for .NET pointed at this server, signing for <paramref name="region"/>.</summary>
    public AmazonKeyManagementServiceClient Kms(string region = "us-east-1", string? accessKeyId = null, string? secret = null) =>
        new(new BasicAWSCredentials(accessKeyId ?? AccessKeyId, secret ?? SecretAccessKey), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = Address.ToString(),
            AuthenticationRegion = region,
            // A 500 must fail the test at once, not hide behind the SDK's retries.
            MaxErrorRetry = 0,
        });

    /// <summary>Stops this server cleanly and starts another on the same data folder and options; dispose only the one returned.</summary>
    public async Task<TestCoffer> RestartAsync()
    {
        await App.DisposeAsync();
        return new TestCoffer(await CofferApp.StartAsync(Options), Options, _database);
    }

    public RawKmsClient Raw(string region = "us-east-1") => new(Address, AccessKeyId, SecretAccessKey, region);

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        try
        {
            Directory.Delete(Options.DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One dev server shared by the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TestCoffer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestCoffer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>One dev server on <typeparamref name="TEngine"/> shared by the tests of a class.</summary>
public sealed class ServerFixture<TEngine> : IAsyncLifetime
    where TEngine : IEngine
{
    public TestCoffer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestCoffer.StartAsync(engine: TEngine.Name);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
