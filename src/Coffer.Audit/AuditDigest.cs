using System.Globalization;
using System.Text;
using System.Text.Json;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Audit;

/// <summary>
/// A signed statement about the trail: "events up to <see cref="LastSequence"/> end in
/// <see cref="LastHash"/>", chained to the previous digest. A retention digest also records the
/// prefix it allowed to be removed, so the trail still verifies after the removal.
/// </summary>
public sealed record AuditDigest(
    long Sequence,
    string Kind,
    DateTimeOffset CreatedAt,
    long LastSequence,
    string LastHash,
    string PreviousDigestHash,
    long RemovedThrough,
    string RemovedThroughHash)
{
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["version"] = 1,
        ["sequence"] = Sequence,
        ["kind"] = Kind,
        ["createdAt"] = CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        ["lastSequence"] = LastSequence,
        ["lastHash"] = LastHash,
        ["previousDigestHash"] = PreviousDigestHash,
        ["removedThrough"] = RemovedThrough,
        ["removedThroughHash"] = RemovedThroughHash,
    });

    public static AuditDigest Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return new AuditDigest(root.GetProperty("sequence").GetInt64(), root.GetProperty("kind").GetString()!,
            DateTimeOffset.Parse(root.GetProperty("createdAt").GetString()!, CultureInfo.InvariantCulture), root.GetProperty("lastSequence").GetInt64(),
            root.GetProperty("lastHash").GetString()!, root.GetProperty("previousDigestHash").GetString()!, root.GetProperty("removedThrough").GetInt64(),
            root.GetProperty("removedThroughHash").GetString()!);
    }

    /// <summary>What the next digest chains to: the hash of this digest's JSON and signature.</summary>
    public static string ChainHash(AuditDigestRecord record) =>
        Convert.ToHexStringLower(AuditChain.Hash([.. Encoding.UTF8.GetBytes(record.Json), .. record.Signature]));
}

/// <summary>
/// Writes signed digests: periodically, on shutdown, and before retention removes old events.
/// A digest is written even when no event came since the last one: its time is what proves the
/// trail was not cut back, so a quiet trail must keep being signed. Serialised: one digest at a
/// time on this node; nodes sharing a store run the periodic ones under the jobs lease, and a digest
/// that loses a race to another node's is signed again on top of it. Thread-safe.
/// </summary>
public sealed class AuditDigester(IAuditStore store, Func<AuditSigningKey?> signingKey, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Writes a digest covering every committed event; null while sealed (there is no key to sign with).</summary>
    public Task<AuditDigest?> WriteAsync(string kind, CancellationToken cancellationToken = default) => WriteAsync(kind, 0, "", cancellationToken);

    /// <summary>
    /// Removes events older than <paramref name="cutoff"/>, first signing a retention digest that
    /// records what goes, so verification still passes afterwards. Returns how many were removed.
    /// </summary>
    public async Task<long> ApplyRetentionAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var old = await store.QueryAsync(new AuditFilter { End = cutoff, NewestFirst = true, Limit = 1 }, cancellationToken);
        if (old.Count == 0)
        {
            return 0;
        }

        var through = old[0].Sequence;
        var first = (await store.QueryAsync(new AuditFilter { Limit = 1 }, cancellationToken))[0].Sequence;
        await WriteAsync("retention", through, Convert.ToHexStringLower(old[0].Hash), cancellationToken);
        await store.DeleteThroughAsync(through, cancellationToken);
        return through - first + 1;
    }

    private async Task<AuditDigest?> WriteAsync(string kind, long removedThrough, string removedThroughHash, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await TryWriteAsync(kind, removedThrough, removedThroughHash, cancellationToken);
                }
                catch (AuditChainConflictException) when (attempt < MaxAttempts)
                {
                    // Another node sharing the store wrote the digest of this sequence first (only
                    // the jobs-lease holder writes periodic ones, but any node's shutdown digest may
                    // race it): sign again on top of that one.
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private const int MaxAttempts = 3;

    private async Task<AuditDigest?> TryWriteAsync(string kind, long removedThrough, string removedThroughHash, CancellationToken cancellationToken)
    {
        // The time is taken before the last event is read, so the digest can claim that every
        // event committed before its time is covered: verify reports that time as proven.
        var createdAt = clock.GetUtcNow();
        var digests = await store.ReadDigestsAsync(cancellationToken);
        var previous = digests.Count == 0 ? null : digests[^1];
        var previousDigest = previous is null ? null : AuditDigest.Parse(previous.Json);
        var last = await store.LastAsync(cancellationToken);
        var lastSequence = last?.Sequence ?? previousDigest?.LastSequence ?? 0;
        var lastHash = last is { } l ? Convert.ToHexStringLower(l.Hash) : previousDigest?.LastHash ?? Convert.ToHexStringLower(AuditChain.Genesis);
        var digest = new AuditDigest((previousDigest?.Sequence ?? 0) + 1, kind, createdAt, lastSequence, lastHash,
            previous is null ? "" : AuditDigest.ChainHash(previous),
            removedThrough > 0 ? removedThrough : previousDigest?.RemovedThrough ?? 0,
            removedThrough > 0 ? removedThroughHash : previousDigest?.RemovedThroughHash ?? "");
        // While sealed there is no signing key: the next digest after unsealing covers the gap.
        if (signingKey() is not { } key)
        {
            return null;
        }

        var json = digest.ToJson();
        await store.AppendDigestAsync(new AuditDigestRecord(digest.Sequence, digest.CreatedAt, json, key.Sign(Encoding.UTF8.GetBytes(json))), cancellationToken);
        return digest;
    }
}
