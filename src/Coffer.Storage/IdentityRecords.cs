namespace Coffer.Storage;

/// <summary>IAM principal kinds. Persisted numbers: only add.</summary>
public enum PrincipalKind
{
    User = 1,
    Role = 2,
}

/// <summary>An IAM user or role. <see cref="TrustPolicy"/> and <see cref="MaxSessionSeconds"/> are for roles.</summary>
public sealed record PrincipalRecord(
    string Arn,
    string AccountId,
    PrincipalKind Kind,
    string Name,
    string UniqueId,
    string Path,
    DateTimeOffset CreatedAt,
    string? TrustPolicy = null,
    int MaxSessionSeconds = 3600);

/// <summary>An inline policy of a user or role.</summary>
public sealed record PrincipalPolicy(string PrincipalArn, string Name, string Document);

/// <summary>
/// Temporary credentials from AssumeRole. The secret is sealed by the barrier; the session token
/// is kept only as a SHA-256 hash, so the store cannot hand out a usable token.
/// </summary>
public sealed record SessionRecord(
    string AccessKeyId,
    string AccountId,
    string RoleArn,
    string RoleUniqueId,
    string SessionName,
    byte[] SealedSecret,
    byte[] TokenHash,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt);

/// <summary>A KMS grant.</summary>
public sealed record GrantRecord(
    string GrantId,
    string KeyId,
    string? Name,
    string GranteePrincipal,
    string? RetiringPrincipal,
    IReadOnlyList<string> Operations,
    IReadOnlyDictionary<string, string>? EncryptionContextEquals,
    IReadOnlyDictionary<string, string>? EncryptionContextSubset,
    string IssuingAccount,
    DateTimeOffset CreatedAt)
{
    /// <summary>
    /// Whether <paramref name="other"/> is a retry of this grant: on the same key, with the same name and the
    /// same terms. AWS answers such a CreateGrant with the grant it made the first time. An unnamed grant
    /// is never a retry. <see cref="Operations"/> compare in order, as CreateGrant stores them sorted.
    /// </summary>
    public bool IsRetryOf(GrantRecord other) =>
        Name is not null && Name == other.Name && KeyId == other.KeyId && GranteePrincipal == other.GranteePrincipal && RetiringPrincipal == other.RetiringPrincipal
        && Operations.SequenceEqual(other.Operations) && SameContext(EncryptionContextEquals, other.EncryptionContextEquals)
        && SameContext(EncryptionContextSubset, other.EncryptionContextSubset);

    private static bool SameContext(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(p => b!.TryGetValue(p.Key, out var v) && v == p.Value));
}

/// <summary>The most grants one key may have, and one grantee of one key.</summary>
public sealed record GrantLimits(int PerKey, int PerGranteePerKey);

/// <summary>Which of <see cref="GrantLimits"/> a new grant would have gone past.</summary>
public enum GrantLimitKind
{
    PerKey,
    PerGranteePerKey,
}

/// <summary>A grant was not inserted: the key, or its grantee, has as many grants as <see cref="GrantLimits"/> allows.</summary>
public sealed class GrantLimitExceededException(GrantLimitKind limit) : Exception($"The grant limit {limit} is reached.")
{
    public GrantLimitKind Limit { get; } = limit;
}
