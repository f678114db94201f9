namespace Coffer.Policy.Tests;

/// <summary>
/// One evaluation case: a policy, a request, the decision AWS documents for it, and the rule
/// that decides it. <see cref="Expected"/> is an <see cref="IdentityDecision"/> (the policy is
/// parsed as an identity policy) or a <see cref="ResourceDecision"/> (parsed as a key policy or
/// trust policy). Context entries are <c>key=value</c>, several values separated by <c>|</c>, and
/// <c>key=[]</c> for a key present with no values.
/// </summary>
public sealed record Case(string Name, string Policy, object Expected, string Rule)
{
    public Caller Caller { get; init; } = CaseTable.Alice;
    public string Action { get; init; } = "kms:Encrypt";
    public string Resource { get; init; } = CaseTable.Key;
    public IReadOnlyList<string> Context { get; init; } = [];

    /// <summary>Further identity policies evaluated together with <see cref="Policy"/>.</summary>
    public IReadOnlyList<string> MorePolicies { get; init; } = [];

    public override string ToString() => Name;

    public RequestFacts Facts()
    {
        var facts = new RequestFacts(Caller, Action, Resource);
        foreach (var entry in Context)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var key = entry[..equals];
            var value = entry[(equals + 1)..];
            facts.With(key, value == "[]" ? [] : value.Split('|'));
        }

        return facts;
    }

    public void Verify()
    {
        var facts = Facts();
        object actual = Expected switch
        {
            IdentityDecision => PolicyEvaluator.EvaluateIdentity(
                new[] { Policy }.Concat(MorePolicies).Select(p => PolicyDocument.Parse(p, PolicyDocument.Kind.Identity)).ToList(), facts),
            ResourceDecision => PolicyEvaluator.EvaluateResource(PolicyDocument.Parse(Policy, PolicyDocument.Kind.Resource), facts),
            _ => throw new InvalidOperationException($"Case '{Name}' has an unsupported expectation {Expected}."),
        };

        if (!Equals(actual, Expected))
        {
            Assert.Fail($"{Name}: expected {Expected} but the engine returned {actual}. AWS rule: {Rule}");
        }
    }
}

/// <summary>Shared principals, resources, expectations and policy shorthands for the case tables.</summary>
public abstract class CaseTable
{
    public const string Account = "111122223333";
    public const string OtherAccount = "444455556666";
    public const string Key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    public const string OtherKey = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";

    public static readonly Caller Alice = new("arn:aws:iam::111122223333:user/alice", Account, CallerKind.User, "AIDAALICE", "alice");
    public static readonly Caller Bob = new("arn:aws:iam::111122223333:user/bob", Account, CallerKind.User, "AIDABOB", "bob");
    public static readonly Caller Root = new("arn:aws:iam::111122223333:root", Account, CallerKind.Account, Account);

    public static readonly Caller Session = new(
        "arn:aws:sts::111122223333:assumed-role/KeyAdmin/admin-session", Account, CallerKind.AssumedRole,
        "AROAKEYADMIN:admin-session", null, "arn:aws:iam::111122223333:role/KeyAdmin");

    public static readonly Caller OtherSession = new(
        "arn:aws:sts::111122223333:assumed-role/KeyAdmin/other-session", Account, CallerKind.AssumedRole,
        "AROAKEYADMIN:other-session", null, "arn:aws:iam::111122223333:role/KeyAdmin");

    public static readonly Caller Carol = new("arn:aws:iam::444455556666:user/carol", OtherAccount, CallerKind.User, "AIDACAROL", "carol");
    public static readonly Caller OtherRoot = new("arn:aws:iam::444455556666:root", OtherAccount, CallerKind.Account, OtherAccount);

    public static readonly Caller AuditSession = new(
        "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app", OtherAccount, CallerKind.AssumedRole,
        "AROAAUDIT:cross-account-audit-app", null, "arn:aws:iam::444455556666:role/cross-account-read-only-role");

    public static readonly Caller OtherAuditSession = new(
        "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/someone-else", OtherAccount, CallerKind.AssumedRole,
        "AROAAUDIT:someone-else", null, "arn:aws:iam::444455556666:role/cross-account-read-only-role");

    protected static readonly IdentityDecision Allow = IdentityDecision.Allow;
    protected static readonly IdentityDecision NotApplicable = IdentityDecision.NotApplicable;
    protected static readonly IdentityDecision Deny = IdentityDecision.ExplicitDeny;

    /// <summary>The key policy says nothing about the caller.</summary>
    protected static readonly ResourceDecision Nothing = new(false, false, false);

    /// <summary>An Allow statement names the caller itself.</summary>
    protected static readonly ResourceDecision Direct = new(false, true, false);

    /// <summary>An Allow statement names the caller's account, delegating to IAM policies.</summary>
    protected static readonly ResourceDecision ToAccount = new(false, false, true);

    /// <summary>A Deny statement applies, and no Allow does.</summary>
    protected static readonly ResourceDecision Denied = new(true, false, false);

    /// <summary>A policy with Version 2012-10-17 around the statement object or array.</summary>
    protected static string P(string statement) => $$"""{"Version":"2012-10-17","Statement":{{statement}}}""";

    /// <summary>An identity policy that allows kms:* on every resource when the condition block holds.</summary>
    protected static string AllowIf(string condition) =>
        P($$"""{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{{condition}}}""");

    /// <summary>An identity policy that allows kms:* but denies it when the condition block holds.</summary>
    protected static string DenyIf(string condition) =>
        P($$"""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{{condition}}}]""");

    /// <summary>A key policy that allows kms:* to everyone ("*") when the condition block holds.</summary>
    protected static string KeyAllowIf(string condition) =>
        P($$"""{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{{condition}}}""");
}
