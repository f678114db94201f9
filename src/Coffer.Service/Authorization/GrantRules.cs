using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Authorization;

/// <summary>Who a grant names, whether its constraints hold for a request, and what a grant may create.</summary>
public static class GrantRules
{
    /// <summary>
    /// A grantee or retiring principal names this caller itself: its user, its role (and so the
    /// role's sessions), its session, or, for the account root user, its account.
    /// </summary>
    public static bool NamesDirectly(string principal, Caller caller) =>
        principal == caller.Arn || principal == caller.RoleArn
        || (caller.Kind == CallerKind.Account && NamesAccountOf(principal, caller));

    /// <summary>
    /// A principal that is the caller's account (its id or root ARN). As in a key policy, such a
    /// grant gives the permission to the account, whose IAM policies then decide which of its
    /// principals may use it.
    /// </summary>
    public static bool NamesAccountOf(string principal, Caller caller) => principal == caller.AccountId || principal == caller.AccountRootArn;

    /// <summary>
    /// AWS: a grant's encryption-context constraint does not apply to DescribeKey and RetireGrant,
    /// which take no context; for CreateGrant it bounds the grants created instead (<see cref="Narrows"/>).
    /// </summary>
    public static bool ConstraintsApplyTo(string operation) => operation is not ("DescribeKey" or "RetireGrant" or "CreateGrant");

    public static bool ConstraintsHold(GrantRecord grant, IReadOnlyDictionary<string, string>? encryptionContext) =>
        ConstraintsHold(grant.EncryptionContextEquals, grant.EncryptionContextSubset, encryptionContext);

    /// <summary>
    /// Whether a grant created under the authority of <paramref name="parent"/> asks for no more
    /// than the parent holds: its operations a subset of the parent's, and every encryption
    /// context it admits admitted by the parent too (an equally strict or stricter constraint).
    /// </summary>
    public static bool Narrows(GrantRecord parent, IReadOnlyCollection<string> operations,
        IReadOnlyDictionary<string, string>? childEquals, IReadOnlyDictionary<string, string>? childSubset)
    {
        if (!operations.All(op => parent.Operations.Contains(op, StringComparer.Ordinal)))
        {
            return false;
        }

        if (childEquals is not null)
        {
            // The child admits at most this one context; the parent must admit it.
            return ConstraintsHold(parent.EncryptionContextEquals, parent.EncryptionContextSubset, childEquals);
        }

        // The child admits every context that contains its subset: only a parent without an
        // exact-match constraint, whose subset the child's includes, admits all of those.
        return parent.EncryptionContextEquals is null
            && (parent.EncryptionContextSubset is not { } required || (childSubset is not null && Contains(childSubset, required)));
    }

    private static bool ConstraintsHold(IReadOnlyDictionary<string, string>? equals, IReadOnlyDictionary<string, string>? subset,
        IReadOnlyDictionary<string, string>? encryptionContext)
    {
        var context = encryptionContext ?? new Dictionary<string, string>();
        if (equals is not null && (equals.Count != context.Count || !Contains(context, equals)))
        {
            return false;
        }

        return subset is null || Contains(context, subset);
    }

    private static bool Contains(IReadOnlyDictionary<string, string> context, IReadOnlyDictionary<string, string> pairs) =>
        pairs.All(p => context.TryGetValue(p.Key, out var v) && v == p.Value);
}
