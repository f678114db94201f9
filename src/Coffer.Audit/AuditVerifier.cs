using System.Text;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Audit;

/// <summary>The outcome of a verification: fine, or the first thing found wrong.</summary>
public sealed record VerificationResult(bool Ok, string Summary, long? FirstBadSequence = null, string? FirstBadEventId = null);

/// <summary>
/// Checks a trail offline: every digest's signature and its link to the one before; the hash
/// chain event by event from the start (or from the point retention removed up to); and that
/// every digest's last event is present and ends in the hash it signed. It names the first event
/// that was edited, removed, inserted or reordered, or the first digest that was forged.
/// </summary>
public static class AuditVerifier
{
    /// <summary>
    /// Verifies <paramref name="records"/> (ascending) against <paramref name="digests"/>. An export
    /// that starts mid-trail passes <paramref name="startAfter"/>: the sequence and hash the first
    /// record chains from; the digests then vouch for everything after it.
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

        var anchor = parsed.LastOrDefault(d => d.RemovedThrough > 0);
        var startSequence = anchor?.RemovedThrough ?? 0;
        var hash = anchor is null ? AuditChain.Genesis : Convert.FromHexString(anchor.RemovedThroughHash);
        if (startAfter is { } start && start.Sequence > startSequence)
        {
            startSequence = start.Sequence;
            hash = start.Hash;
        }

        var expected = startSequence + 1;
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

            hash = AuditChain.Next(hash, record.Sequence, Encoding.UTF8.GetBytes(record.Json));
            if (!SecretComparer.FixedTimeEquals(hash, record.Hash))
            {
                return Bad(record.Sequence, record.EventId, $"Event #{record.Sequence} (eventID {record.EventId}) does not match the hash chain: it was edited, inserted or reordered.");
            }

            hashes[record.Sequence] = Convert.ToHexStringLower(hash);
            expected++;
        }

        var lastPresent = expected - 1;
        foreach (var digest in parsed)
        {
            if (digest.LastSequence <= startSequence)
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

        var covered = parsed.Count == 0 ? 0 : parsed[^1].LastSequence;
        return new VerificationResult(true,
            $"OK: {records.Count} events (#{startSequence + 1} to #{lastPresent}) chain correctly; {parsed.Count} digests verify; events up to #{covered} are covered by a signed digest.");
    }

    private static VerificationResult Bad(long sequence, string? eventId, string summary) => new(false, summary, sequence, eventId);
}
