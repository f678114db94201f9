namespace Coffer.Policy;

/// <summary>How a caller matches a Principal entry in a key policy or trust policy.</summary>
public enum PrincipalMatch
{
    None,

    /// <summary>The entry names the caller (its ARN, its role, or <c>*</c>).</summary>
    Direct,

    /// <summary>The entry names the caller's account: the account then decides through IAM policies.</summary>
    Account,
}

internal static class PrincipalMatching
{
    public static bool IsValidAwsPrincipal(string entry) =>
        entry == "*"
        || (entry.Length == 12 && entry.All(char.IsAsciiDigit))
        || (entry.StartsWith("arn:aws:iam::", StringComparison.Ordinal) && !entry.Contains('*', StringComparison.Ordinal))
        || (entry.StartsWith("arn:aws:sts::", StringComparison.Ordinal) && !entry.Contains('*', StringComparison.Ordinal));

    public static PrincipalMatch Match(PrincipalSet set, Caller caller)
    {
        if (set.Anyone)
        {
            return PrincipalMatch.Direct;
        }

        var best = PrincipalMatch.None;
        var entries = set.Aws;
        for (var i = 0; i < entries.Count; i++)
        {
            var match = MatchOne(entries[i], caller);
            if (match == PrincipalMatch.Direct)
            {
                return match;
            }

            if (match == PrincipalMatch.Account)
            {
                best = match;
            }
        }

        return best;
    }

    /// <summary>
    /// NotPrincipal's stricter sense of "names the caller": only the caller's own ARN (the
    /// session ARN for a session, the root ARN or account id for the root user) exempts it; a
    /// role ARN does not exempt its sessions, nor an account its users.
    /// </summary>
    public static bool NamesExactly(PrincipalSet set, Caller caller) =>
        set.Anyone || set.Aws.Any(entry => entry == caller.Arn
            || (caller.Kind == CallerKind.Account && (entry == caller.AccountId || entry == caller.AccountRootArn)));

    private static PrincipalMatch MatchOne(string entry, Caller caller)
    {
        if (entry == caller.AccountId || entry == caller.AccountRootArn)
        {
            // The root user is the account itself: naming the account names it directly.
            return caller.Kind == CallerKind.Account ? PrincipalMatch.Direct : PrincipalMatch.Account;
        }

        if (entry == caller.Arn || (caller.RoleArn is not null && entry == caller.RoleArn))
        {
            return PrincipalMatch.Direct;
        }

        return PrincipalMatch.None;
    }
}
