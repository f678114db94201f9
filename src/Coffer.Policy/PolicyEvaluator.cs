namespace Coffer.Policy;

/// <summary>What one identity-based policy set says about a request.</summary>
public enum IdentityDecision
{
    NotApplicable,
    Allow,
    ExplicitDeny,
}

/// <summary>What a resource-based policy (key policy, trust policy) says about a request.</summary>
public readonly record struct ResourceDecision(bool ExplicitDeny, bool AllowsDirectly, bool AllowsAccount);

/// <summary>
/// Evaluates compiled policies against one request, without I/O. Pure and thread-safe.
/// Statement matching: principal (resource policies only), action, resource, then every
/// condition; within a condition any value may match, across conditions all must hold.
/// </summary>
public static class PolicyEvaluator
{
    public static IdentityDecision EvaluateIdentity(IEnumerable<PolicyDocument> policies, RequestFacts facts)
    {
        var allowed = false;
        foreach (var policy in policies)
        {
            var statements = policy.Statements;
            for (var i = 0; i < statements.Count; i++)
            {
                var statement = statements[i];
                if (!Applies(statement, facts))
                {
                    continue;
                }

                if (statement.Effect == Effect.Deny)
                {
                    return IdentityDecision.ExplicitDeny;
                }

                allowed = true;
            }
        }

        return allowed ? IdentityDecision.Allow : IdentityDecision.NotApplicable;
    }

    public static ResourceDecision EvaluateResource(PolicyDocument policy, RequestFacts facts)
    {
        bool deny = false, direct = false, account = false;
        var statements = policy.Statements;
        for (var i = 0; i < statements.Count; i++)
        {
            var statement = statements[i];
            var match = statement.NotPrincipal
                ? (PrincipalMatching.NamesExactly(statement.Principal!, facts.Caller) ? PrincipalMatch.None : PrincipalMatch.Direct)
                : PrincipalMatching.Match(statement.Principal!, facts.Caller);

            if (match == PrincipalMatch.None || !Applies(statement, facts))
            {
                continue;
            }

            if (statement.Effect == Effect.Deny)
            {
                deny = true;
            }
            else if (match == PrincipalMatch.Direct)
            {
                direct = true;
            }
            else
            {
                account = true;
            }
        }

        return new ResourceDecision(deny, direct, account);
    }

    // Index loops, not LINQ or foreach over interfaces: this runs for every statement of every
    // policy on every request, and each of those allocated an enumerator or a closure.
    private static bool Applies(PolicyStatement statement, RequestFacts facts)
    {
        var actions = statement.Actions;
        var actionMatches = false;
        for (var i = 0; i < actions.Count && !actionMatches; i++)
        {
            actionMatches = Wildcard.Matches(actions[i], facts.Action, ignoreCase: true);
        }

        if (actionMatches == statement.NotAction)
        {
            return false;
        }

        if (statement.Resources is { } resources)
        {
            var resourceMatches = false;
            for (var i = 0; i < resources.Count && !resourceMatches; i++)
            {
                var pattern = statement.ExpandsVariables ? PolicyVariables.Expand(resources[i], facts, forWildcard: true) : resources[i];
                resourceMatches = Wildcard.Matches(pattern, facts.Resource, ignoreCase: false);
            }

            if (resourceMatches == statement.NotResource)
            {
                return false;
            }
        }

        var conditions = statement.Conditions;
        for (var i = 0; i < conditions.Count; i++)
        {
            if (!conditions[i].Evaluate(facts, statement.ExpandsVariables))
            {
                return false;
            }
        }

        return true;
    }
}
