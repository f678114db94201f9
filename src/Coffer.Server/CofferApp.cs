using Coffer.Audit;
using Coffer.Barrier;
using Coffer.Crypto;
using Coffer.Protocol;
using Coffer.Service.Authorization;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Coffer.Service.Iam;
using Coffer.Service.Identity;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;
using Coffer.Storage;
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

    /// <summary>The imported-material expiry job, so tests can run a pass after moving the clock.</summary>
    public ImportedMaterialExpiryJob ExpiryJob { get; private init; } = null!;

    /// <summary>The automatic rotation job, so tests can run a pass after moving the clock.</summary>
    public KeyRotationJob RotationJob { get; private init; } = null!;

    public string AdminAccessKeyId { get; }

    /// <summary>The audit trail, so tests can inspect what was recorded.</summary>
    public AuditTrail Audit { get; private init; } = null!;

    /// <summary>The right to run the background jobs among the nodes sharing the store; tests check which node holds it.</summary>
    public IJobLease JobLease { get; private init; } = null!;

    internal AuditDigestService Digests { get; private init; } = null!;

    internal KeyUsageFlushService UsageFlush { get; private init; } = null!;

    /// <summary>The keys' last uses waiting in memory, so tests can check their bound and that requests write nothing.</summary>
    public KeyUsageTracker KeyUsage { get; private init; } = null!;

    /// <summary>Writes the keys' last uses held in memory to the store now, as the timer would.</summary>
    public Task FlushKeyUsageAsync() => UsageFlush.RunOnceAsync(CancellationToken.None);

    /// <summary>The seal state: tests check it is sealed or open.</summary>
    public Keyring Keyring { get; private init; } = null!;

    /// <summary>What the operations share (store, key material, caches), so tests can check their bounds.</summary>
    public KeyMaterialVault Vault { get; private init; } = null!;

    /// <summary>Writes a periodic digest (and applies retention) now, as the timer would.</summary>
    public Task WriteAuditDigestAsync() => Digests.RunOnceAsync(CancellationToken.None);

    /// <summary>The access keys this node knows, with their bounded cache.</summary>
    public AccessKeyDirectory AccessKeys => _directory;

    /// <summary>The address the server listens on, with the real port when port 0 was asked for.</summary>
    public Uri Address => new(_web.Urls.First());

    public static async Task<CofferApp> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        var listen = ListenEndpoint.Parse(options.Listen);
        var certificate = LoadCertificate(options, listen);
        Directory.CreateDirectory(options.DataDir);
        File.SetUnixFileMode(options.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var secrets = new List<IDisposable>();
        var store = await StoreFactory.OpenStoreAsync(options.Storage, cancellationToken);
        var config = await SealConfig.ReadAsync(store, cancellationToken);
        if (options.Dev)
        {
            if (config is not null && config.Kind != SealConfig.Dev)
            {
                throw new InvalidOperationException($"{options.DataDir} is sealed with '{config.Kind}': start it without --dev.");
            }

            config ??= new SealConfig(SealConfig.Dev);
            await config.WriteAsync(store, cancellationToken);
        }
        else if (config is null)
        {
            throw new InvalidOperationException($"{options.DataDir} is not initialised: run 'coffer init --data-dir {options.DataDir} --seal shamir …' first.");
        }
        else if (config.Kind == SealConfig.Dev)
        {
            throw new InvalidOperationException($"{options.DataDir} is a dev data folder (its root key is a file beside the data): start it with --dev.");
        }

        var pkcs11Library = config.Kind == SealConfig.Pkcs11Kind
            ? config.TrustedPkcs11Library(options.Pkcs11Library, "--pkcs11-library, COFFER_PKCS11_LIBRARY or pkcs11-library in --config")
            : null;

        var keyring = new Keyring(options.Clock);
        secrets.Add(keyring);
        var generator = new KeyPairGenerator();
        var vault = new KeyMaterialVault(store, keyring, options.Clock, generator, options.Limits.MaterialVersionsCached);
        // Session expiry and key lifecycles share the injected clock, so tests can move past both.
        var directory = new AccessKeyDirectory(store, keyring, options.Clock);
        var policies = new PolicyCache(store, options.Clock, keyring);
        var usage = await KeyUsageTracker.OpenAsync(store, options.Clock, options.Limits.KeyUsagesPending, cancellationToken);
        var authorizer = new KmsAuthorizer(store, policies, options.Clock);
        var auditStore = options.AuditStoreFactory?.Invoke(options.DataDir) ?? StoreFactory.AuditStore(options.Storage);
        var audit = await AuditTrail.OpenAsync(auditStore, cancellationToken);
        AuditSigningKey? signingKey = null;
        keyring.Cleared += () => Interlocked.Exchange(ref signingKey, null)?.Dispose();
        var digester = new AuditDigester(auditStore, () => Volatile.Read(ref signingKey), options.Clock);
        async Task OnUnsealedAsync() =>
            Interlocked.Exchange(ref signingKey, await AuditKeys.OpenAsync(store, keyring.Barrier, options.DataDir, CancellationToken.None))?.Dispose();

        string? adminId = null, adminSecret = null;
        if (config.Kind == SealConfig.Dev)
        {
            var devSeal = DevFileSeal.OpenOrCreate(options.DataDir);
            secrets.Add(devSeal);
            keyring.Install(await KeyHierarchy.OpenBarrierAsync(devSeal, store, cancellationToken));
            await OnUnsealedAsync();
            (adminId, adminSecret) = await DevAdmin.EnsureAsync(options, store, directory, cancellationToken);
        }

        var operatorAccount = new OperatorAccount(config.Kind == SealConfig.Dev
            ? await OperatorAccount.RecordAsync(store, options.AccountId, cancellationToken)
            : await OperatorAccount.ReadAsync(store, cancellationToken));

        string? sealProblem = null;
        if (config.Kind == SealConfig.Pkcs11Kind)
        {
            // The HSM unseals the server by itself; without it the server stays sealed and says why.
            try
            {
                using var hsm = Pkcs11Seal.Open(pkcs11Library!, config.Pkcs11Token!, config.Pkcs11Key!,
                    options.Pkcs11Pin ?? throw new SealException("No HSM PIN was given (COFFER_PKCS11_PIN or --pkcs11-pin-file)."), createKey: false);
                keyring.Install(await KeyHierarchy.OpenBarrierAsync(hsm, store, cancellationToken));
                await OnUnsealedAsync();
            }
            catch (SealException error)
            {
                sealProblem = error.Message;
            }
        }

        var unseal = new UnsealService(store, keyring, config, OnUnsealedAsync);
        var regions = new RegionPolicy(options.Regions.Count == 0 && !options.Dev ? ["us-east-1"] : options.Regions);
        // The ±15-minute window compares with the caller's wall clock, so it reads the real time
        // even when tests move options.Clock days ahead to expire keys and sessions.
        var authenticator = new SigV4Authenticator(directory, regions, TimeProvider.System);

        // Coffer is configured by its own options, not by an appsettings.json in whatever folder it
        // was started from; and ASP.NET Core's default reload-on-change watched that folder and
        // everything under it: started in its data folder, the watcher woke for every audit write.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = ApiEndpoint.MaxBodyBytes + 1;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            kestrel.Listen(listen, endpoint =>
            {
                if (certificate is not null)
                {
                    endpoint.UseHttps(certificate);
                }
            });
        });
        var keys = new KeyCache(store, options.Clock, keyring);
        secrets.Add(keys);
        var parts = new ServiceParts(store, vault, generator, authorizer, policies, options.Clock, options.Limits, usage, keys);
        async Task<ISeal> OpenSealAsync(IReadOnlyList<SecretBytes> shares, CancellationToken token) => config.Kind == SealConfig.Dev
            ? DevFileSeal.OpenOrCreate(options.DataDir)
            : await Rekey.OpenCurrentAsync(store, config, shares, options.Pkcs11Pin, pkcs11Library, token);
        var table = new OperationTable(OperationTable.Kms(parts)
            .Concat(OperationTable.CloudTrail(auditStore))
            .Concat(OperationTable.IamAndSts(new IamService(store, authorizer, policies, options.Clock, directory), new StsService(store, authorizer, options.Clock, directory)))
            .Concat(OperationTable.Operator(unseal, keyring, store, audit, OpenSealAsync)));
        var steps = new OperationSteps(new KeyResolver(store, keys), authorizer, operatorAccount);
        builder.Services.AddSingleton(sp => new RequestPipeline(table, steps, audit, keyring, usage, options.Clock, sp.GetRequiredService<ILogger<RequestPipeline>>()));
        builder.Services.AddSingleton(sp => new ApiEndpoint(sp.GetRequiredService<RequestPipeline>(), authenticator));
        var deletionJob = new KeyDeletionJob(store, vault, audit, options.Clock, keys);
        var lease = StoreFactory.JobLease(options.Storage);
        builder.Services.AddHostedService(sp => new JobLeaseService(lease, options.JobLeaseInterval, keyring, sp.GetRequiredService<ILogger<JobLeaseService>>()));
        builder.Services.AddSingleton(sp => new AuditDigestService(digester, options.AuditDigestInterval, options.AuditRetention, options.Clock, lease,
            sp.GetRequiredService<ILogger<AuditDigestService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditDigestService>());
        var rotationJob = new KeyRotationJob(store, new KeyRotation(store, vault, options.Clock), audit, keys);
        var expiryJob = new ImportedMaterialExpiryJob(store, new KeyImporter(store, vault, options.Clock), audit, keys);
        builder.Services.AddHostedService(sp => new KeyJobsService([deletionJob, rotationJob, expiryJob], options.KeyJobsInterval, options.Clock, keyring, lease,
            sp.GetRequiredService<ILogger<KeyJobsService>>()));

        builder.Services.AddSingleton(sp => new KeyUsageFlushService(usage, options.KeyUsageFlushInterval, sp.GetRequiredService<ILogger<KeyUsageFlushService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<KeyUsageFlushService>());

        var web = builder.Build();
        var api = web.Services.GetRequiredService<ApiEndpoint>();
        web.Run(http => http.Request.Path.Value switch
        {
            "/health" when HttpMethods.IsGet(http.Request.Method) => HealthStatus.WriteAsync(http, unseal.Status, audit, lease),
            _ => api.HandleAsync(http),
        });

        await web.StartAsync(cancellationToken);
        var app = new CofferApp(web, store, secrets, deletionJob, adminId ?? "", directory, options.Clock)
        {
            Audit = audit,
            Digests = web.Services.GetRequiredService<AuditDigestService>(),
            UsageFlush = web.Services.GetRequiredService<KeyUsageFlushService>(),
            KeyUsage = usage,
            Keyring = keyring,
            Vault = vault,
            RotationJob = rotationJob,
            ExpiryJob = expiryJob,
            JobLease = lease,
        };
        Banner.Print(options, app.Address, adminId, adminSecret, unseal.Status, sealProblem);
        return app;
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2? LoadCertificate(ServerOptions options, System.Net.IPEndPoint listen)
    {
        if (options.TlsCertPath is not null && options.TlsKeyPath is not null)
        {
            return TlsCertificate.FromPemFiles(options.TlsCertPath, options.TlsKeyPath);
        }

        if (options.Dev || (options.InsecureHttp && System.Net.IPAddress.IsLoopback(listen.Address)))
        {
            return null;
        }

        throw new InvalidOperationException(options.InsecureHttp
            ? "--insecure-http is allowed only on a loopback address (127.0.0.1, ::1)."
            : "Without --dev Coffer serves HTTPS only: give --tls-cert and --tls-key (PEM), or --insecure-http on a loopback address.");
    }

    public Task WaitForShutdownAsync() => _web.WaitForShutdownAsync();

    /// <summary>Creates (or completes) another account hosted here, with an admin user holding the given key.</summary>
    public Task CreateAccountAsync(string accountId, string accessKeyId, string secret, CancellationToken cancellationToken = default) =>
        AccountBootstrap.EnsureAdminAsync(_store, _directory, _clock, accountId, DevAdmin.UserName, accessKeyId, secret, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        // After the web server stopped: no request can record a use any more, so nothing is left behind.
        await UsageFlush.RunOnceAsync(CancellationToken.None);
        await _web.DisposeAsync();
        await JobLease.DisposeAsync();
        await Audit.DisposeAsync();
        await Audit.Store.DisposeAsync();
        await _store.DisposeAsync();
        foreach (var secret in _secrets)
        {
            secret.Dispose();
        }
    }
}
