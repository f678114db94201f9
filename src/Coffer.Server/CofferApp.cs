using Coffer.Audit;
using Coffer.Crypto;
using Coffer.Protocol;
using Coffer.Protocol.Query;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Coffer.Service.Iam;
using Coffer.Service.Identity;
using Coffer.Service.Keys;
using Coffer.Storage;
using Coffer.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>
/// A running Coffer server: the web host plus what it owns (store, seal, barrier, caches).
/// <see cref="StartAsync"/> opens the key hierarchy, starts listening and prints one line saying
/// where; disposing stops it and zeroes every key it held.
/// </summary>
public sealed class CofferApp : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly List<IDisposable> _secrets;
    private readonly ICofferStore _store;

    private readonly AccessKeyDirectory _directory;
    private readonly TimeProvider _clock;

    private CofferApp(WebApplication web, ICofferStore store, List<IDisposable> secrets, KeyDeletionJob deletionJob, string adminAccessKeyId,
        AccessKeyDirectory directory, TimeProvider clock)
    {
        _directory = directory;
        _clock = clock;
        _web = web;
        _store = store;
        _secrets = secrets;
        DeletionJob = deletionJob;
        AdminAccessKeyId = adminAccessKeyId;
    }

    /// <summary>The deletion job, so tests can run a pass after moving the clock.</summary>
    public KeyDeletionJob DeletionJob { get; }

    public string AdminAccessKeyId { get; }

    /// <summary>The audit trail, so tests can inspect what was recorded.</summary>
    public AuditTrail Audit { get; private init; } = null!;

    internal AuditDigestService Digests { get; private init; } = null!;

    /// <summary>Writes a periodic digest (and applies retention) now, as the timer would.</summary>
    public Task WriteAuditDigestAsync() => Digests.RunOnceAsync(CancellationToken.None);

    /// <summary>The address the server listens on, with the real port when port 0 was asked for.</summary>
    public Uri Address => new(_web.Urls.First());

    public static async Task<CofferApp> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        if (!options.Dev)
        {
            throw new InvalidOperationException("Only dev mode is available in this version: start with --dev.");
        }

        Directory.CreateDirectory(options.DataDir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(options.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var secrets = new List<IDisposable>();
        var seal = DevFileSeal.OpenOrCreate(options.DataDir);
        secrets.Add(seal);
        var store = SqliteStore.InDirectory(options.DataDir);
        await store.InitializeAsync(cancellationToken);
        var barrier = await KeyHierarchy.OpenBarrierAsync(seal, store, cancellationToken);
        secrets.Add(barrier);
        var vault = new KeyMaterialVault(store, barrier, options.Clock);
        secrets.Add(vault);
        // Session expiry and key lifecycles share the injected clock, so tests can move past both.
        var directory = new AccessKeyDirectory(store, barrier, options.Clock);
        secrets.Add(directory);
        var runtime = new KmsRuntime(store, vault, options.Clock);
        var (adminId, adminSecret) = await DevAdmin.EnsureAsync(options, store, directory, cancellationToken);
        var signingKey = await AuditKeys.OpenAsync(store, barrier, options.DataDir, cancellationToken);
        secrets.Add(signingKey);
        var auditStore = options.AuditStoreFactory(options.DataDir);
        var audit = await AuditTrail.OpenAsync(auditStore, cancellationToken);
        var digester = new AuditDigester(auditStore, signingKey, options.Clock);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = ApiEndpoint.MaxBodyBytes + 1;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            kestrel.Listen(ListenEndpoint.Parse(options.Listen));
        });
        builder.Services.AddSingleton(runtime);
        builder.Services.AddSingleton<IRegionPolicy>(new RegionPolicy(options.Regions));
        builder.Services.AddSingleton(directory);
        builder.Services.AddSingleton(new SigV4Authenticator(directory, new RegionPolicy(options.Regions), TimeProvider.System));
        builder.Services.AddSingleton(new KmsJsonHandler(new KmsDispatcher(runtime)));
        builder.Services.AddSingleton(new QueryHandler(new IamService(runtime, directory), new StsService(runtime, directory)));
        builder.Services.AddSingleton(new CloudTrailHandler(auditStore, runtime));
        builder.Services.AddSingleton(audit);
        builder.Services.AddSingleton(options.Clock);
        builder.Services.AddSingleton<ApiEndpoint>();
        var deletionJob = new KeyDeletionJob(runtime, (key, _) => audit.RecordAsync(ServiceEvents.KeyDeleted(key, options.Clock.GetUtcNow())));

        builder.Services.AddSingleton(sp => new AuditDigestService(digester, options.AuditDigestInterval, options.AuditRetention, options.Clock,
            sp.GetRequiredService<ILogger<AuditDigestService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditDigestService>());
        builder.Services.AddHostedService(sp => new KeyDeletionService(deletionJob, options.DeletionJobInterval, options.Clock, sp.GetRequiredService<ILogger<KeyDeletionService>>()));

        var web = builder.Build();
        var endpoint = web.Services.GetRequiredService<ApiEndpoint>();
        var health = new HealthStatus("ok", Sealed: false, Seal: seal.Kind);
        web.Run(http => http.Request.Path == "/health" && HttpMethods.IsGet(http.Request.Method)
            ? http.Response.WriteAsJsonAsync(health, HealthJsonContext.Default.HealthStatus)
            : endpoint.HandleAsync(http));

        await web.StartAsync(cancellationToken);
        var app = new CofferApp(web, store, secrets, deletionJob, adminId, directory, options.Clock)
        {
            Audit = audit,
            Digests = web.Services.GetRequiredService<AuditDigestService>(),
        };
        Banner.Print(options, app.Address, adminId, adminSecret);
        return app;
    }

    public Task WaitForShutdownAsync() => _web.WaitForShutdownAsync();

    /// <summary>Creates (or completes) another account hosted here, with an admin user holding the given key.</summary>
    public Task CreateAccountAsync(string accountId, string accessKeyId, string secret, CancellationToken cancellationToken = default) =>
        AccountBootstrap.EnsureAdminAsync(_store, _directory, _clock, accountId, DevAdmin.UserName, accessKeyId, secret, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
        await Audit.DisposeAsync();
        await Audit.Store.DisposeAsync();
        await _store.DisposeAsync();
        foreach (var secret in _secrets)
        {
            secret.Dispose();
        }
    }
}
