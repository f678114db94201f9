namespace Coffer.Service;

/// <summary>
/// AWS KMS's quotas that bound what one caller can pile up, so that no key or account grows
/// until its requests slow everyone down. Tests lower them to reach them quickly.
/// </summary>
public sealed record KmsLimits
{
    /// <summary>AWS's quota of grants per KMS key.</summary>
    public int GrantsPerKey { get; init; } = 50_000;
}
