using System.Globalization;
using System.Text;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Audit;

/// <summary>The outcome of a verification: what it proved, or the first thing found wrong.</summary>
public sealed record VerificationResult(bool Ok, string Summary, long? FirstBadSequence = null, string? FirstBadEventId = null, TrailProof? Proof = null);

/// <summary>
/// What a trail that verified proves. Events after <see cref="Start"/> up to
/// <see cref="ProvenThrough"/> are vouched for by a signature; events after that, up to
/// <see cref="LastPresent"/>, only chain to each other, which anyone who can write the trail can
/// redo, so they are unproven.
/// </summary>
public sealed record TrailProof(AuditAnchor Start, long ProvenThrough, long LastPresent, int DigestCount, AuditDigest? LastDigest)
{
    /// <summary>The time of the last signed digest: every event committed before it is covered. Null when nothing is signed.</summary>
    public DateTimeOffset? ProvenUntil => LastDigest?.CreatedAt;

    public long UnprovenCount => Math.Max(0, LastPresent - ProvenThrough);

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The report for people: what is proven, up to when, and what is not.</summary>
    public string Describe()
    {
        var lines = new List<string>();
        var digests = DigestCount == 1 ? "the 1 digest has a valid signature" : $"all {DigestCount} digests have valid signatures, each chained to the one before";
        if (LastDigest is null)
        {
            lines.Add("OK: nothing contradicts the trail, but no digest has been signed yet, so nothing in it is proven.");
            lines.Add("Proven through: nothing (no signed digest).");
        }
        else
        {
            lines.Add(ProvenThrough > Start.Sequence
                ? $"OK: events #{Start.Sequence + 1} to #{ProvenThrough} ({Count(ProvenThrough - Start.Sequence)}) are proven: they chain from {Start.SignedBy} to the hash signed by digest #{LastDigest.Sequence}; {digests}."
                : $"OK: no events after {Start.SignedBy} are covered by a digest yet; {digests}.");
            lines.Add($"Proven through {Format(LastDigest.CreatedAt)} (digest #{LastDigest.Sequence}): events committed after that time are not proven, and neither is their absence.");
        }

        if (UnprovenCount > 0)
        {
            var (them, they) = UnprovenCount == 1 ? ("it", "it") : ("them", "they");
            lines.Add($"UNPROVEN: {Count(UnprovenCount)} (#{ProvenThrough + 1} to #{LastPresent}) after the last digest: no signature covers {them} yet, "
                + $"so {they} may have been added, changed or cut off without a trace.");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Count(long events) => events == 1 ? "1 event" : $"{events} events";
}

/// <summary>
/// Checks a trail offline: every digest's signature and its link to the one before; that the
/// trail starts at a point a signed digest vouches for; the hash chain event by event from there;
/// and that every digest's last event is present and ends in the hash it signed. It names the
/// first event that was edited, removed, inserted or reordered, or the first digest that was
/// forged, and otherwise reports how far the signatures reach (<see cref="TrailProof"/>).
/// </summary>
public static class AuditVerifier
{
    /// <summary>
    /// Verifies <paramref name="records"/> (ascending) against <paramref name="digests"/>. An export
    /// passes <paramref name="startAfter"/>, the sequence and hash its first record chains from; it
    /// must be a point a verified digest signed (<see cref="AuditAnchor"/>). Without it the trail
    /// starts where retention last removed up to, or at the beginning.
    /// </summary>
    public static VerificationResult Verify(IReadOnlyList<AuditRecord> records, IReadOnlyList<AuditDigestRecord> digests, byte[] publicKey,
        (long Sequence, byte[] Hash)? startAfter = null)
    {
        var parsed = new List<AuditDigest>();
        string previousChainHash = "";
        foreach (var record in digests)
        {
            if (!AuditSigningKey.Verify(publicKey, Encoding.UTF8.GetBytes(record.Json), record.Signature))
            {
                return new VerificationResult(false, $"Digest #{record.Sequence} has an invalid signature: it was forged or edited.");
            }

            var digest = AuditDigest.Parse(record.Json);
            if (digest.Sequence != parsed.Count + 1 || digest.PreviousDigestHash != previousChainHash)
            {
                return new VerificationResult(false, $"Digest #{digest.Sequence} does not follow digest #{parsed.Count}: a digest was removed, inserted or reordered.");
            }

            parsed.Add(digest);
            previousChainHash = AuditDigest.ChainHash(record);
        }

        AuditAnchor start;
        if (startAfter is { } claimed)
        {
            var hash = Convert.ToHexStringLower(claimed.Hash);
            var atSequence = AuditAnchor.All(parsed).Where(a => a.Sequence == claimed.Sequence).ToList();
            if (atSequence.Count == 0)
            {
                return Bad(claimed.Sequence + 1, null,
                    $"The export's start line (after event #{claimed.Sequence}) is not a point any signed digest vouches for: it was edited, or the export was made by an older Coffer (export it again).");
            }

            if (atSequence.FirstOrDefault(a => a.Hash == hash) is not { } signed)
            {
                return Bad(claimed.Sequence + 1, null,
                    $"The export's start line (after event #{claimed.Sequence}) does not carry the hash {atSequence[0].SignedBy} signed for that event: it was edited.");
            }

            start = signed;
        }
        else
        {
            start = AuditAnchor.AfterRetention(parsed);
        }

        var chain = Convert.FromHexString(start.Hash);
        var expected = start.Sequence + 1;
        var hashes = new Dictionary<long, string>();
        foreach (var record in records)
        {
            if (record.Sequence > expected)
            {
                return Bad(expected, null, $"Event #{expected} is missing: it was removed (the next present is #{record.Sequence}).");
            }

            if (record.Sequence < expected)
            {
                return Bad(record.Sequence, record.EventId, $"Event #{record.Sequence} (eventID {record.EventId}) appears out of place: it was inserted or reordered.");
            }

            chain = AuditChain.Next(chain, record.Sequence, Encoding.UTF8.GetBytes(record.Json));
            if (!SecretComparer.FixedTimeEquals(chain, record.Hash))
            {
                return Bad(record.Sequence, record.EventId, $"Event #{record.Sequence} (eventID {record.EventId}) does not match the hash chain: it was edited, inserted or reordered.");
            }

            hashes[record.Sequence] = Convert.ToHexStringLower(chain);
            expected++;
        }

        var lastPresent = expected - 1;
        foreach (var digest in parsed)
        {
            // Digests up to the start speak of events before this trail or export; the start itself was checked above.
            if (digest.LastSequence <= start.Sequence)
            {
                continue;
            }

            if (digest.LastSequence > lastPresent)
            {
                return Bad(lastPresent + 1, null,
                    $"Events #{lastPresent + 1} to #{digest.LastSequence}, covered by digest #{digest.Sequence}, are missing: the trail was truncated.");
            }

            if (hashes[digest.LastSequence] != digest.LastHash)
            {
                return Bad(digest.LastSequence, null, $"The trail up to event #{digest.LastSequence} does not match digest #{digest.Sequence}: events were rewritten.");
            }
        }

        var last = parsed.LastOrDefault();
        var proof = new TrailProof(start, Math.Max(start.Sequence, last?.LastSequence ?? 0), lastPresent, parsed.Count, last);
        return new VerificationResult(true, proof.Describe(), Proof: proof);
    }

    private static VerificationResult Bad(long sequence, string? eventId, string summary) => new(false, summary, sequence, eventId);
}
