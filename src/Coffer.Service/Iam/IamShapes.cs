using Coffer.Core;

namespace Coffer.Service.Iam;

/// <summary>An IAM user as GetUser and ListUsers return it.</summary>
public sealed record IamUser(string Path, string UserName, string UserId, string Arn, DateTimeOffset CreateDate, IReadOnlyList<KmsTag> Tags);

/// <summary>An IAM role as GetRole and ListRoles return it. The trust policy is the JSON text.</summary>
public sealed record IamRole(string Path, string RoleName, string RoleId, string Arn, DateTimeOffset CreateDate, string AssumeRolePolicyDocument, int MaxSessionDuration);

/// <summary>An access key; <see cref="SecretAccessKey"/> is set only in CreateAccessKey's answer.</summary>
public sealed record IamAccessKey(string UserName, string AccessKeyId, string Status, DateTimeOffset CreateDate, string? SecretAccessKey = null);

/// <summary>One page of a list, with IAM's Marker/IsTruncated.</summary>
public sealed record IamPage<T>(IReadOnlyList<T> Items, bool IsTruncated, string? Marker);

/// <summary>STS credentials and the session they belong to.</summary>
public sealed record AssumedRole(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration, string AssumedRoleId, string Arn);

/// <summary>GetCallerIdentity's answer.</summary>
public sealed record CallerIdentity(string UserId, string Account, string Arn);

/// <summary>An inline policy as Get{User,Role}Policy returns it.</summary>
public sealed record InlinePolicy(string PrincipalName, string PolicyName, string PolicyDocument);
