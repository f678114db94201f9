using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Authorization;

/// <summary>Who a grant names and whether its constraints hold for a request's encryption context.</summary>
public static class GrantRules
{
    /// <summary>A grantee or retiring principal names a user, a role (and so its sessions), an assumed-role session, or an account.</summary>
    public static bool Names(string principal, Caller caller) =>
        principal == caller.Arn || principal == caller.RoleArn || principal == caller.AccountId || principal == caller.AccountRootArn;

    public static bool ConstraintsHold(GrantRecord grant, IReadOnlyDictionary<string, string>? encryptionContext)
    {
        var context = encryptionContext ?? new Dictionary<string, string>();
        if (grant.EncryptionContextEquals is { } equals
            && (equals.Count != context.Count || equals.Any(p => !context.TryGetValue(p.Key, out var v) || v != p.Value)))
        {
            return false;
        }

        return grant.EncryptionContextSubset is not { } subset || subset.All(p => context.TryGetValue(p.Key, out var v) && v == p.Value);
    }
}
