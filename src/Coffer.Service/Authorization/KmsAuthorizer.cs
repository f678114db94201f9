using System.Globalization;
using Coffer.Core;
using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Authorization;

/// <summary>
/// Decides every KMS request as AWS KMS does: an explicit Deny in the key policy or the caller's
/// IAM policies wins; otherwise the request is allowed when the key policy allows the caller
/// directly (same account), or allows the caller's account and an IAM policy of the caller
/// allows, or a grant allows. Operations that name no key (CreateKey, ListKeys, …) are decided by
/// IAM policies alone. A refusal is AccessDeniedException with AWS's message.
/// </summary>
public sealed class KmsAuthorizer(ICofferStore store, PolicyCache policies, TimeProvider clock)
{
    /// <summary>
    /// Authorizes an operation on a key; <paramref name="conditions"/> adds the operation's own
    /// condition keys. <paramref name="grantLimit"/>, when given, is what a grant must also satisfy
    /// for the grant alone to authorize the request (CreateGrant: the new grant must not ask for more).
    /// </summary>
    public async ValueTask AuthorizeAsync(RequestContext context, string action, KmsKey key, CancellationToken cancellationToken,
        Action<RequestFacts>? conditions = null, IReadOnlyDictionary<string, string>? encryptionContext = null, Func<GrantRecord, bool>? grantLimit = null)
    {
        context.Touch(key.Arn);
        var facts = await FactsAsync(context, action, key.Arn, conditions, cancellationToken);
        facts.Defer(f => f.With("kms:KeySpec", key.KeySpec).With("kms:KeyUsage", key.KeyUsage).With("kms:KeyOrigin", key.Origin)
            .With("kms:MultiRegion", "false"));
        var keyPolicyDocument = await policies.KeyPolicyAsync(key, cancellationToken);
        var identityPolicies = context.Caller.Kind == CallerKind.Account ? [] : (await IdentityOfAsync(context, cancellationToken)).Policies;

        // Tags and aliases cost a store read each; fetch them only for policies that read them.
        bool Reads(string prefix) => keyPolicyDocument.ReadsConditionKey(prefix) || identityPolicies.Any(p => p.ReadsConditionKey(prefix));
        if (Reads("aws:ResourceTag/"))
        {
            foreach (var tag in await store.GetTagsAsync(key.KeyId, cancellationToken))
            {
                facts.With($"aws:ResourceTag/{tag.Key}", tag.Value);
            }
        }

        if (Reads("kms:ResourceAliases"))
        {
            var aliases = await store.ListAliasesAsync(key.AccountId, key.Region, key.KeyId, null, 100, cancellationToken);
            if (aliases.Count > 0)
            {
                facts.With("kms:ResourceAliases", aliases.Select(a => a.Name).ToList());
            }
        }

        var keyPolicy = PolicyEvaluator.EvaluateResource(keyPolicyDocument, facts);
        var identity = await IdentityDecisionAsync(context, facts, cancellationToken);
        if (keyPolicy.ExplicitDeny)
        {
            Deny(context, action, key.Arn, "with an explicit deny in a resource-based policy");
        }

        if (identity == IdentityDecision.ExplicitDeny)
        {
            Deny(context, action, key.Arn, "with an explicit deny in an identity-based policy");
        }

        var sameAccount = context.AccountId == key.AccountId;
        if ((keyPolicy.AllowsDirectly && (sameAccount || identity == IdentityDecision.Allow))
            || (keyPolicy.AllowsAccount && identity == IdentityDecision.Allow))
        {
            return;
        }

        if (await GrantAllowsAsync(context, facts, key, encryptionContext, grantLimit, cancellationToken))
        {
            return;
        }

        Deny(context, action, key.Arn, keyPolicy.AllowsDirectly || keyPolicy.AllowsAccount
            ? $"because no identity-based policy allows the {action} action"
            : $"because no resource-based policy allows the {action} action");
    }

    /// <summary>Authorizes an operation on a resource that has no resource policy (CreateKey, ListKeys, an alias): IAM policies alone.</summary>
    public async ValueTask AuthorizeIdentityOnlyAsync(RequestContext context, string action, string resource, CancellationToken cancellationToken,
        Action<RequestFacts>? conditions = null)
    {
        var facts = await FactsAsync(context, action, resource, conditions, cancellationToken);
        switch (await IdentityDecisionAsync(context, facts, cancellationToken))
        {
            case IdentityDecision.Allow:
                return;
            case IdentityDecision.ExplicitDeny:
                Deny(context, action, resource, "with an explicit deny in an identity-based policy");
                break;
            default:
                Deny(context, action, resource, $"because no identity-based policy allows the {action} action");
                break;
        }
    }

    /// <summary>What the caller's IAM policies alone say about an action on a resource (for trust policies, which combine it themselves).</summary>
    public async ValueTask<IdentityDecision> IdentityDecisionAsync(RequestContext context, string action, string resource, CancellationToken cancellationToken) =>
        await IdentityDecisionAsync(context, await FactsAsync(context, action, resource, null, cancellationToken), cancellationToken);

    /// <summary>Evaluates a candidate key policy for the caller, for the lockout safety check.</summary>
    public async ValueTask<bool> PolicyWouldAllowAsync(RequestContext context, PolicyDocument candidate, string action, string resource, CancellationToken cancellationToken)
    {
        var facts = await FactsAsync(context, action, resource, null, cancellationToken);
        var decision = PolicyEvaluator.EvaluateResource(candidate, facts);
        if (decision.ExplicitDeny)
        {
            return false;
        }

        return decision.AllowsDirectly || (decision.AllowsAccount && await IdentityDecisionAsync(context, facts, cancellationToken) == IdentityDecision.Allow);
    }

    /// <summary>The caller's IAM policies and tags, fetched once per request however many checks read them.</summary>
    private async ValueTask<IdentityPolicies> IdentityOfAsync(RequestContext context, CancellationToken cancellationToken) =>
        context.CallerIdentity ??= await policies.IdentityAsync(context.Caller, cancellationToken);

    private async ValueTask<IdentityDecision> IdentityDecisionAsync(RequestContext context, RequestFacts facts, CancellationToken cancellationToken)
    {
        if (context.Caller.Kind == CallerKind.Account)
        {
            // The account root user holds every IAM permission of its account.
            return IdentityDecision.Allow;
        }

        var identity = await IdentityOfAsync(context, cancellationToken);
        return PolicyEvaluator.EvaluateIdentity(identity.Policies, facts);
    }

    /// <summary>
    /// The global condition keys of a request (caller, time, transport, source, tags), for any
    /// policy evaluated outside this class, such as a role's trust policy: every policy sees the same keys.
    /// </summary>
    public ValueTask<RequestFacts> RequestFactsAsync(RequestContext context, string action, string resource, CancellationToken cancellationToken) =>
        FactsAsync(context, action, resource, null, cancellationToken);

    private async ValueTask<RequestFacts> FactsAsync(RequestContext context, string action, string resource, Action<RequestFacts>? conditions, CancellationToken cancellationToken)
    {
        var caller = context.Caller;
        var now = clock.GetUtcNow();
        var tags = caller.Kind == CallerKind.Account ? null : (await IdentityOfAsync(context, cancellationToken)).Tags;
        var facts = new RequestFacts(caller, action, resource).Defer(f => GlobalKeys(f, context, now, tags));
        if (conditions is not null)
        {
            facts.Defer(conditions);
        }

        return facts;
    }

    /// <summary>The global condition keys every policy sees, computed only when a policy reads one.</summary>
    private static void GlobalKeys(RequestFacts facts, RequestContext context, DateTimeOffset now, IReadOnlyList<KmsTag>? principalTags)
    {
        var caller = context.Caller;
        facts.With("aws:PrincipalArn", caller.RoleArn ?? caller.Arn)
            .With("aws:PrincipalAccount", caller.AccountId)
            .With("aws:PrincipalType", caller.Kind.ToString())
            .With("aws:userid", caller.UserId)
            .With("aws:SourceIp", context.SourceIp)
            .With("aws:SecureTransport", context.SecureTransport ? "true" : "false")
            .With("aws:CurrentTime", now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .With("aws:EpochTime", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
            .With("aws:RequestedRegion", context.Region)
            .With("kms:CallerAccount", caller.AccountId);
        if (caller.UserName is not null)
        {
            facts.With("aws:username", caller.UserName);
        }

        if (caller.TokenIssuedAt is { } issued)
        {
            facts.With("aws:TokenIssueTime", issued.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        foreach (var tag in principalTags ?? [])
        {
            facts.With($"aws:PrincipalTag/{tag.Key}", tag.Value);
        }
    }

    private async ValueTask<bool> GrantAllowsAsync(RequestContext context, RequestFacts facts, KmsKey key, IReadOnlyDictionary<string, string>? encryptionContext,
        Func<GrantRecord, bool>? grantLimit, CancellationToken cancellationToken)
    {
        var operation = facts.Action["kms:".Length..];
        IdentityDecision? identity = null;
        var caller = context.Caller;
        string[] names = caller.RoleArn is { } role ? [caller.Arn, role, caller.AccountId, caller.AccountRootArn] : [caller.Arn, caller.AccountId, caller.AccountRootArn];
        foreach (var grant in await store.ListGrantsForGranteesAsync(key.KeyId, names, cancellationToken))
        {
            if (!grant.Operations.Contains(operation, StringComparer.Ordinal)
                || (GrantRules.ConstraintsApplyTo(operation) && !GrantRules.ConstraintsHold(grant, encryptionContext))
                || (grantLimit is not null && !grantLimit(grant)))
            {
                continue;
            }

            if (GrantRules.NamesDirectly(grant.GranteePrincipal, context.Caller))
            {
                return true;
            }

            if (GrantRules.NamesAccountOf(grant.GranteePrincipal, context.Caller)
                && (identity ??= await IdentityDecisionAsync(context, facts, cancellationToken)) == IdentityDecision.Allow)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a grant's retiring or grantee principal names the caller for <paramref name="action"/>:
    /// directly, or through its account when the caller's IAM policies allow the action on the key.
    /// </summary>
    public async ValueTask<bool> GrantPrincipalNamesAsync(RequestContext context, string principal, string action, string keyArn, CancellationToken cancellationToken) =>
        GrantRules.NamesDirectly(principal, context.Caller)
        || (GrantRules.NamesAccountOf(principal, context.Caller) && await IdentityDecisionAsync(context, action, keyArn, cancellationToken) == IdentityDecision.Allow);

    private static void Deny(RequestContext context, string action, string resource, string reason) =>
        KmsErrors.Throw(KmsErrors.AccessDenied, $"User: {context.Caller.Arn} is not authorized to perform: {action} on resource: {resource} {reason}");
}
