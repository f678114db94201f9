namespace Coffer.Server;

/// <summary>How to run one Coffer server. Validated by the CLI before it gets here.</summary>
public sealed record ServerOptions
{
    public const string DefaultAccountId = "111122223333";
    public const string DefaultListen = "127.0.0.1:8080";

    public required string DataDir { get; init; }

    /// <summary>The storage engine of the records and the audit trail; SQLite in <see cref="DataDir"/> unless set.</summary>
    public StorageOptions Storage
    {
        get => _storage ?? new StorageOptions { DataDir = DataDir };
        init => _storage = value;
    }

    private readonly StorageOptions? _storage;
    public bool Dev { get; init; }
    public string Listen { get; init; } = DefaultListen;

    /// <summary>The regions served; empty in dev mode means any region a request is signed for.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    public string AccountId { get; init; } = DefaultAccountId;

    /// <summary>The dev admin's access key, when the environment fixes it.</summary>
    public string? DevAccessKeyId { get; init; }

    public string? DevSecretAccessKey { get; init; }

    /// <summary>The clock of key lifecycles (deletion windows); tests move it. SigV4 always uses the real clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How often the key jobs look for keys whose deletion, automatic rotation or imported-material expiry date has come.</summary>
    public TimeSpan KeyJobsInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a node tries for the jobs lease (or checks it still holds it): at most how long the
    /// background jobs wait for another node after the one running them died.
    /// </summary>
    public TimeSpan JobLeaseInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the keys' last uses (GetKeyLastUsage), kept in memory, are written to the store: what
    /// a crash can lose. A clean stop writes them all.
    /// </summary>
    public TimeSpan KeyUsageFlushInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a signed digest covers the audit events since the last one.</summary>
    public TimeSpan AuditDigestInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long audit events are kept; null keeps them forever.</summary>
    public TimeSpan? AuditRetention { get; init; }

    /// <summary>TLS certificate and key (PEM) for HTTPS; required without --dev unless <see cref="InsecureHttp"/>.</summary>
    public string? TlsCertPath { get; init; }

    public string? TlsKeyPath { get; init; }

    /// <summary>Plain HTTP outside dev mode, allowed only on a loopback address.</summary>
    public bool InsecureHttp { get; init; }

    /// <summary>
    /// The PKCS#11 library of a pkcs11 seal, from the server's own configuration (never from the
    /// data folder, which only records it so a disagreement can be refused).
    /// </summary>
    public string? Pkcs11Library { get; init; }

    /// <summary>The HSM user PIN for a pkcs11 seal, from the environment or a file, never the command line.</summary>
    public string? Pkcs11Pin { get; init; }

    /// <summary>
    /// Opens the audit store in a data folder instead of <see cref="StoreFactory"/>; tests wrap it to
    /// inject write failures. Null uses the audit store of <see cref="Storage"/>.
    /// </summary>
    public Func<string, Coffer.Storage.IAuditStore>? AuditStoreFactory { get; init; }

    /// <summary>AWS's quotas; tests lower them.</summary>
    public Service.KmsLimits Limits { get; init; } = new();

    /// <summary>Where the start-up banner goes (the admin key, the listening line).</summary>
    public TextWriter Console { get; init; } = System.Console.Out;
}
