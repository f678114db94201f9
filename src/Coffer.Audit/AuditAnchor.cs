using Coffer.Crypto;

namespace Coffer.Audit;

/// <summary>
/// A point in the hash chain that a signature vouches for directly: the chain's beginning, the
/// last event a digest covers, or the last event a retention digest let go. A trail or an export
/// may start only at such a point; a start anywhere else would rest on nothing but its own word.
/// </summary>
public sealed record AuditAnchor(long Sequence, string Hash, string SignedBy)
{
    public static AuditAnchor Beginning { get; } = new(0, Convert.ToHexStringLower(AuditChain.Genesis), "the beginning of the trail");

    /// <summary>Every anchor the digests sign, the beginning first, in the digests' order.</summary>
    public static IReadOnlyList<AuditAnchor> All(IEnumerable<AuditDigest> digests)
    {
        var anchors = new List<AuditAnchor> { Beginning };
        foreach (var digest in digests)
        {
            if (digest.RemovedThrough > 0)
            {
                anchors.Add(RetentionPoint(digest));
            }

            anchors.Add(new AuditAnchor(digest.LastSequence, digest.LastHash, $"digest #{digest.Sequence}"));
        }

        return anchors;
    }

    /// <summary>Where the stored trail starts: after the latest removal by retention, or at the beginning.</summary>
    public static AuditAnchor AfterRetention(IEnumerable<AuditDigest> digests) =>
        digests.LastOrDefault(d => d.RemovedThrough > 0) is { } digest ? RetentionPoint(digest) : Beginning;

    private static AuditAnchor RetentionPoint(AuditDigest digest) =>
        new(digest.RemovedThrough, digest.RemovedThroughHash, $"retention digest #{digest.Sequence}");
}
