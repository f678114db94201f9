using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// A real Coffer dev server, in this process, on a free loopback port, with its own data folder
/// and a random admin key. Tests talk to it over HTTP like any client.
/// </summary>
public sealed class TestCoffer : IAsyncDisposable
{
    private TestCoffer(CofferApp app, ServerOptions options)
    {
        App = app;
        Options = options;
    }

    public CofferApp App { get; }
    public ServerOptions Options { get; }
    public string AccessKeyId => Options.DevAccessKeyId!;
    public string SecretAccessKey => Options.DevSecretAccessKey!;
    public Uri Address => App.Address;
    public string AccountId => Options.AccountId;

    public static async Task<TestCoffer> StartAsync(TimeProvider? clock = null, IReadOnlyList<string>? regions = null, string accountId = ServerOptions.DefaultAccountId,
        Func<string, Storage.IAuditStore>? auditStore = null, TimeSpan? auditRetention = null, Service.KmsLimits? limits = null, TimeSpan? timersEvery = null,
        TimeSpan? keyUsageFlushEvery = null)
    {
        var options = new ServerOptions
        {
            Dev = true,
            DataDir = Directory.CreateTempSubdirectory("coffer-test-").FullName,
            Listen = "127.0.0.1:0",
            Regions = regions ?? [],
            AccountId = accountId,
            DevAccessKeyId = "AKIA" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..16],
            DevSecretAccessKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + Convert.ToBase64String(Guid.NewGuid().ToByteArray())[..16],
            Clock = clock ?? TimeProvider.System,
            Console = TextWriter.Null,
            AuditStoreFactory = auditStore ?? Storage.Sqlite.SqliteAuditStore.InDirectory,
            AuditRetention = auditRetention,
            Limits = limits ?? new Service.KmsLimits(),
            KeyUsageFlushInterval = keyUsageFlushEvery ?? TimeSpan.FromSeconds(10),
        };
        if (timersEvery is { } every)
        {
            // A fake clock moved by years fires a one-minute timer for every minute it skips.
            options = options with { KeyJobsInterval = every, AuditDigestInterval = every };
        }

        return new TestCoffer(await CofferApp.StartAsync(options), options);
    }

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
        return new TestCoffer(await CofferApp.StartAsync(Options), Options);
    }

    public RawKmsClient Raw(string region = "us-east-1") => new(Address, AccessKeyId, SecretAccessKey, region);

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
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
