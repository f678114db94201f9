using Coffer.Core;

namespace Coffer.Storage;

/// <summary>IAM users and roles, their inline policies and tags, access keys and STS sessions.</summary>
public interface IIdentityStore
{
    /// <summary>Inserts unless a principal of that kind and name exists in the account; returns whether it did.</summary>
    ValueTask<bool> TryInsertPrincipalAsync(PrincipalRecord principal, CancellationToken cancellationToken = default);

    ValueTask<PrincipalRecord?> FindPrincipalAsync(string accountId, PrincipalKind kind, string name, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<PrincipalRecord>> ListPrincipalsAsync(string accountId, PrincipalKind kind, string? afterName, int limit, CancellationToken cancellationToken = default);

    /// <summary>Removes a principal with its policies and tags. Callers check for access keys first, as IAM does.</summary>
    ValueTask<bool> DeletePrincipalAsync(string arn, CancellationToken cancellationToken = default);

    ValueTask PutPrincipalPolicyAsync(PrincipalPolicy policy, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<PrincipalPolicy>> ListPrincipalPoliciesAsync(string principalArn, CancellationToken cancellationToken = default);

    ValueTask<bool> DeletePrincipalPolicyAsync(string principalArn, string name, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<KmsTag>> GetPrincipalTagsAsync(string principalArn, CancellationToken cancellationToken = default);

    ValueTask ReplacePrincipalTagsAsync(string principalArn, IReadOnlyList<KmsTag> tags, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string principalArn, CancellationToken cancellationToken = default);

    ValueTask<bool> DeleteAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken = default);

    ValueTask InsertSessionAsync(SessionRecord session, CancellationToken cancellationToken = default);

    ValueTask<SessionRecord?> FindSessionAsync(string accessKeyId, CancellationToken cancellationToken = default);
}

/// <summary>Key policies and grants.</summary>
public interface IKeyAccessStore
{
    ValueTask<string?> GetKeyPolicyAsync(string keyId, CancellationToken cancellationToken = default);

    ValueTask SetKeyPolicyAsync(string keyId, string document, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts <paramref name="grant"/> unless the key already has a grant it is a retry of
    /// (<see cref="GrantRecord.IsRetryOf"/>), and returns the grant stored. A new grant that would
    /// take the key or its grantee past <paramref name="limits"/> is refused with
    /// <see cref="GrantLimitExceededException"/> (a retry is not counted). Atomic, also between nodes
    /// sharing the store: two retries sent at once end as one grant, and two new grants sent at once
    /// cannot both take the last place under a limit.
    /// </summary>
    ValueTask<GrantRecord> InsertGrantAsync(GrantRecord grant, GrantLimits? limits = null, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<GrantRecord>> ListGrantsAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>The grants of a key whose grantee is one of <paramref name="grantees"/>: all that can authorize one caller.</summary>
    ValueTask<IReadOnlyList<GrantRecord>> ListGrantsForGranteesAsync(string keyId, IReadOnlyList<string> grantees, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<GrantRecord>> ListGrantsByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken cancellationToken = default);

    ValueTask<GrantRecord?> FindGrantAsync(string grantId, CancellationToken cancellationToken = default);

    ValueTask<bool> DeleteGrantAsync(string grantId, CancellationToken cancellationToken = default);
}
