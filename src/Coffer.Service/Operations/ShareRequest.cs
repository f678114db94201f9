using Coffer.Crypto;

namespace Coffer.Service.Operations;

/// <summary>
/// The body of the <c>/sys</c> controls: one unseal share, a reset, or the shares that open the
/// seal for a domain-key rotation. The shares are the credential, so they live only in pinned
/// secrets; disposing zeroes them.
/// </summary>
public sealed class ShareRequest(bool reset, SecretBytes? share, IReadOnlyList<SecretBytes> shares) : IDisposable
{
    public bool Reset { get; } = reset;

    public SecretBytes? Share { get; } = share;

    public IReadOnlyList<SecretBytes> Shares { get; } = shares;

    public void Dispose()
    {
        Share?.Dispose();
        foreach (var secret in Shares)
        {
            secret.Dispose();
        }
    }
}

/// <summary>
/// What a node says of itself: serving or not, sealed or not, unseal progress, whether its audit
/// trail can be written and, in <c>/health</c>, whether it runs the background jobs (<see cref="Jobs"/>).
/// </summary>
public sealed record NodeStatus(string Status, bool Sealed, string Seal, int Progress, int Threshold, string Audit)
{
    public const string JobsHeld = "held";
    public const string JobsStandby = "standby";

    /// <summary><see cref="JobsHeld"/> on the node holding the jobs lease, <see cref="JobsStandby"/> on the others; null where not reported.</summary>
    public string? Jobs { get; init; }

    public static NodeStatus From(Barrier.SealStatus seal, Audit.AuditTrail audit)
    {
        // A node whose trail cannot be written refuses every request, so a load balancer should not send it any.
        var trail = audit.WriterStopped ? "stopped" : audit.Healthy ? "ok" : "failing";
        return new(trail == "ok" ? "ok" : "unavailable", seal.Sealed, seal.Seal, seal.Progress, seal.Threshold, trail);
    }

    public bool Serving => Audit == "ok";
}
