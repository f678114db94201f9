using System.Collections.Concurrent;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Service.Identity;

/// <summary>An authenticated caller's long-term identity, as its access key names it.</summary>
public sealed record Principal(string AccountId, string Arn, string UserName, string AccessKeyId);

/// <summary>
/// Finds access keys and their secrets for SigV4. Secrets are stored sealed by the barrier and
/// kept unsealed in memory for at most <see cref="CacheLifetime"/>, so a deactivated or deleted
/// key stops working within that time on every node. Thread-safe.
/// </summary>
public sealed class AccessKeyDirectory(ICofferStore store, RecordBarrier barrier, TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The principal and secret of an active access key, or null when the id is unknown or the key
    /// is inactive. The secret is owned by the directory; callers use it before returning and
    /// never keep it.
    /// </summary>
    public async ValueTask<(Principal Principal, SecretBytes Secret)?> FindActiveAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        if (_cache.TryGetValue(accessKeyId, out var cached) && clock.GetElapsedTime(cached.LoadedAt, now) < CacheLifetime)
        {
            return cached.Result;
        }

        var record = await store.FindAccessKeyAsync(accessKeyId, cancellationToken);
        Entry fresh;
        if (record is not { Status: AccessKeyStatus.Active })
        {
            fresh = new Entry(null, null, now);
        }
        else if (cached?.Result is { } previous && cached.Sealed is not null && cached.Sealed.AsSpan().SequenceEqual(record.SealedSecret))
        {
            // Same sealed secret as before: keep the unsealed copy instead of making another.
            fresh = cached with { Result = previous with { Principal = new Principal(record.AccountId, record.PrincipalArn, record.UserName, accessKeyId) }, LoadedAt = now };
        }
        else
        {
            var secret = barrier.Open(SecretRecordId(accessKeyId), record.SealedSecret);
            fresh = new Entry((new Principal(record.AccountId, record.PrincipalArn, record.UserName, accessKeyId), secret), record.SealedSecret, now);
        }

        _cache[accessKeyId] = fresh;
        if (cached?.Result is { } old && !ReferenceEquals(old.Secret, fresh.Result?.Secret))
        {
            // The key changed or went away. A request still verifying with the old secret fails
            // closed (its signature no longer matches), which is the point of revocation.
            old.Secret.Dispose();
        }

        return fresh.Result;
    }

    /// <summary>Stores a new access key; its secret is sealed before it reaches the store.</summary>
    public async ValueTask AddAsync(Principal principal, SecretBytes secret, CancellationToken cancellationToken)
    {
        var record = new AccessKeyRecord(principal.AccessKeyId, principal.AccountId, principal.Arn, principal.UserName, AccessKeyStatus.Active,
            barrier.Seal(SecretRecordId(principal.AccessKeyId), secret.Span), clock.GetUtcNow());
        await store.UpsertAccessKeyAsync(record, cancellationToken);
        _cache.TryRemove(principal.AccessKeyId, out _);
    }

    public void Dispose()
    {
        foreach (var entry in _cache.Values)
        {
            entry.Result?.Secret.Dispose();
        }

        _cache.Clear();
    }

    private static string SecretRecordId(string accessKeyId) => $"access-key-secret:{accessKeyId}";

    private sealed record Entry((Principal Principal, SecretBytes Secret)? Result, byte[]? Sealed, long LoadedAt);
}
