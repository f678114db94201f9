namespace Coffer.Service;

/// <summary>
/// The bounds on what callers can pile up, so that no key, account or cache grows until requests
/// slow everyone down: AWS KMS's own quotas, and the sizes of the node's caches. Tests lower them
/// to reach them quickly.
/// </summary>
public sealed record KmsLimits
{
    /// <summary>AWS's quota of grants per KMS key.</summary>
    public int GrantsPerKey { get; init; } = 50_000;

    /// <summary>AWS's quota of grants for one grantee principal on one key.</summary>
    public int GrantsPerGranteePerKey { get; init; } = 500;

    /// <summary>Key material versions kept unsealed in memory; others are unsealed again when used.</summary>
    public int MaterialVersionsCached { get; init; } = Keys.KeyMaterialVault.DefaultCacheCapacity;

    /// <summary>Keys whose last use may wait in memory for the next flush to the store (see <see cref="Keys.KeyUsageTracker"/>).</summary>
    public int KeyUsagesPending { get; init; } = Keys.KeyUsageTracker.DefaultCapacity;
}
