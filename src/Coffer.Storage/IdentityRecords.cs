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
    DateTimeOffset CreatedAt);
