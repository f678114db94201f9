using Coffer.Barrier;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Identity;

/// <summary>An authenticated caller: the policy engine's view of it and the key it signed with.</summary>
public sealed record Principal(Caller Caller, string AccessKeyId);

/// <summary>Why credentials were not accepted.</summary>
public enum CredentialStatus
{
    Valid,
    Unknown,
    Expired,
}

/// <summary>
/// Finds the principal and secret behind an access key: a user's long-term key or an STS
/// session's temporary one (which must come with its session token). Results, secrets included,
/// are cached for at most <see cref="CacheLifetime"/>, so a deactivated key, a deleted user or
/// role stops working within that time on every node. At most <see cref="CacheCapacity"/> keys
/// are cached, unknown ones never, and an id that is not in AWS's access key format is refused
/// before any lookup, so unauthenticated callers cannot grow the cache. Thread-safe.
/// </summary>
public sealed class AccessKeyDirectory : IDisposable
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(1);
    public const int CacheCapacity = 10_000;
    private readonly ExpiringCache<string, Entry> _cache;
    private readonly ICofferStore _store;
    private readonly Keyring _keyring;
    private readonly TimeProvider _clock;

    public AccessKeyDirectory(ICofferStore store, Keyring keyring, TimeProvider clock)
    {
        _store = store;
        _keyring = keyring;
        _clock = clock;
        // Sealing must leave no decrypted access-key secret in memory: the cache zeroes them all then.
        _cache = new ExpiringCache<string, Entry>(CacheCapacity, CacheLifetime, clock, keyring, entry => entry.Secret);
    }

    /// <summary>
    /// Looks up an access key. The secret is owned by the directory: callers use it before they
    /// return and never keep it.
    /// </summary>
    public async ValueTask<(CredentialStatus Status, Principal? Principal, SecretBytes? Secret)> FindAsync(string accessKeyId, string? sessionToken, CancellationToken cancellationToken)
    {
        if (!IsAccessKeyIdForm(accessKeyId))
        {
            return (CredentialStatus.Unknown, null, null);
        }

        if (!_cache.TryGet(accessKeyId, out var entry, out var fresh) || !fresh)
        {
            entry = await LoadAsync(accessKeyId, entry, cancellationToken);
        }

        if (entry.Principal is null || entry.Secret is null)
        {
            return (CredentialStatus.Unknown, null, null);
        }

        if (entry.TokenHash is null)
        {
            // A long-term key never comes with a session token.
            return sessionToken is null ? (CredentialStatus.Valid, entry.Principal, entry.Secret) : (CredentialStatus.Unknown, null, null);
        }

        if (sessionToken is null || !TokenHash.Matches(sessionToken, entry.TokenHash))
        {
            return (CredentialStatus.Unknown, null, null);
        }

        return _clock.GetUtcNow() >= entry.ExpiresAt ? (CredentialStatus.Expired, null, null) : (CredentialStatus.Valid, entry.Principal, entry.Secret);
    }

    /// <summary>Stores a new long-term access key for a user; its secret is encrypted by the barrier before it reaches the store.</summary>
    public async ValueTask<AccessKeyRecord> AddAsync(string accountId, string userArn, string userName, string accessKeyId, SecretBytes secret, CancellationToken cancellationToken)
    {
        var record = new AccessKeyRecord(accessKeyId, accountId, userArn, userName, AccessKeyStatus.Active,
            _keyring.Barrier.Encrypt(RecordIds.AccessKeySecret(accessKeyId), secret.Span), _clock.GetUtcNow());
        await _store.UpsertAccessKeyAsync(record, cancellationToken);
        _cache.Remove(accessKeyId);
        return record;
    }

    /// <summary>Stores temporary credentials; only the hash of the session token is kept.</summary>
    public async ValueTask AddSessionAsync(SessionRecord session, SecretBytes secret, CancellationToken cancellationToken)
    {
        await _store.InsertSessionAsync(session with { SealedSecret = _keyring.Barrier.Encrypt(RecordIds.AccessKeySecret(session.AccessKeyId), secret.Span) }, cancellationToken);
    }

    /// <summary>Forgets a key at once on this node (after it was deactivated or deleted here).</summary>
    public void Invalidate(string accessKeyId) => _cache.Remove(accessKeyId);

    /// <summary>How many access keys are cached now; never more than <see cref="CacheCapacity"/>.</summary>
    public int CachedCount => _cache.Count;

    public void Dispose() => _cache.Dispose();

    /// <summary>AWS's access key id format as Coffer issues it: 16 to 128 upper-case letters and digits.</summary>
    public static bool IsAccessKeyIdForm(string accessKeyId)
    {
        if (accessKeyId.Length is < 16 or > 128)
        {
            return false;
        }

        foreach (var c in accessKeyId)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask<Entry> LoadAsync(string accessKeyId, Entry? previous, CancellationToken cancellationToken)
    {
        var now = _clock.GetTimestamp();
        Entry fresh;
        if (accessKeyId.StartsWith("ASIA", StringComparison.Ordinal))
        {
            var session = await _store.FindSessionAsync(accessKeyId, cancellationToken);
            var role = session is null ? null : await FindRoleAsync(session.RoleArn, session.AccountId, cancellationToken);
            fresh = session is null || role is null || role.UniqueId != session.RoleUniqueId
                ? Entry.Empty(now)
                : new Entry(
                    new Principal(new Caller(IdentityIds.AssumedRoleArn(session.AccountId, role.Name, session.SessionName), session.AccountId, CallerKind.AssumedRole,
                        $"{role.UniqueId}:{session.SessionName}", null, role.Arn) { TokenIssuedAt = session.CreatedAt }, accessKeyId),
                    Reuse(previous, session.SealedSecret) ?? _keyring.Barrier.Decrypt(RecordIds.AccessKeySecret(accessKeyId), session.SealedSecret),
                    session.SealedSecret, session.TokenHash, session.ExpiresAt, now);
        }
        else
        {
            var record = await _store.FindAccessKeyAsync(accessKeyId, cancellationToken);
            var user = record is { Status: AccessKeyStatus.Active } ? await _store.FindPrincipalAsync(record.AccountId, PrincipalKind.User, record.UserName, cancellationToken) : null;
            fresh = record is null || user is null || user.Arn != record.PrincipalArn
                ? Entry.Empty(now)
                : new Entry(
                    new Principal(new Caller(user.Arn, user.AccountId, CallerKind.User, user.UniqueId, user.Name), accessKeyId),
                    Reuse(previous, record.SealedSecret) ?? _keyring.Barrier.Decrypt(RecordIds.AccessKeySecret(accessKeyId), record.SealedSecret),
                    record.SealedSecret, null, DateTimeOffset.MaxValue, now);
        }

        if (fresh.Principal is null)
        {
            // Unknown keys are not remembered: a flood of made-up ids then holds no memory and
            // cannot push real keys out of the cache. Each costs one indexed lookup, like any request.
            _cache.TryTake(accessKeyId, out _);
        }
        else
        {
            _cache.Set(accessKeyId, fresh);
        }

        if (previous?.Secret is { } old && !ReferenceEquals(old, fresh.Secret))
        {
            // Revoked or replaced: a request still checking a signature with it fails closed.
            old.Dispose();
        }

        return fresh;
    }

    private async ValueTask<PrincipalRecord?> FindRoleAsync(string roleArn, string accountId, CancellationToken cancellationToken)
    {
        var name = roleArn[(roleArn.LastIndexOf('/') + 1)..];
        var role = await _store.FindPrincipalAsync(accountId, PrincipalKind.Role, name, cancellationToken);
        return role?.Arn == roleArn ? role : null;
    }

    private static SecretBytes? Reuse(Entry? previous, byte[] sealedSecret) =>
        previous?.Secret is { IsDisposed: false } secret && previous.Sealed is { } sealedBefore && sealedBefore.AsSpan().SequenceEqual(sealedSecret) ? secret : null;

    private sealed record Entry(Principal? Principal, SecretBytes? Secret, byte[]? Sealed, byte[]? TokenHash, DateTimeOffset ExpiresAt, long LoadedAt)
    {
        public static Entry Empty(long now) => new(null, null, null, null, DateTimeOffset.MinValue, now);
    }
}
