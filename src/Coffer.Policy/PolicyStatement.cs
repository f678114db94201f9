using System.Text.Json;

namespace Coffer.Policy;

/// <summary>The principals a statement names: <c>"*"</c>, or lists under <c>AWS</c> and <c>Service</c>.</summary>
public sealed record PrincipalSet(bool Anyone, IReadOnlyList<string> Aws, IReadOnlyList<string> Services);

/// <summary>One statement, compiled: patterns ready to match, conditions ready to evaluate.</summary>
public sealed class PolicyStatement
{
    public string? Sid { get; private init; }
    public Effect Effect { get; private init; }
    public PrincipalSet? Principal { get; private init; }
    public bool NotPrincipal { get; private init; }
    public IReadOnlyList<string> Actions { get; private init; } = [];
    public bool NotAction { get; private init; }
    public IReadOnlyList<string>? Resources { get; private init; }
    public bool NotResource { get; private init; }
    public IReadOnlyList<Condition> Conditions { get; private init; } = [];

    /// <summary>The statement's Version decides whether <c>${…}</c> policy variables are expanded.</summary>
    public bool ExpandsVariables { get; private init; }

    internal static PolicyStatement Parse(JsonElement json, PolicyDocument.Kind kind, string? version)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyParseException("Each policy statement must be a JSON object.");
        }

        PolicyDocument.RejectDuplicateNames(json);
        string? sid = null;
        Effect? effect = null;
        PrincipalSet? principal = null;
        bool notPrincipal = false, notAction = false, notResource = false;
        List<string>? actions = null, resources = null;
        var conditions = new List<Condition>();
        foreach (var property in json.EnumerateObject())
        {
            switch (property.Name)
            {
                case "Sid":
                    sid = PolicyDocument.RequireString(property.Value, "Sid");
                    break;
                case "Effect":
                    effect = PolicyDocument.RequireString(property.Value, "Effect") switch
                    {
                        "Allow" => Policy.Effect.Allow,
                        "Deny" => Policy.Effect.Deny,
                        var other => throw new PolicyParseException($"The policy statement has an invalid Effect '{other}': use Allow or Deny."),
                    };
                    break;
                case "Principal" or "NotPrincipal":
                    if (principal is not null)
                    {
                        throw new PolicyParseException("A policy statement cannot have both Principal and NotPrincipal.");
                    }

                    principal = ParsePrincipal(property.Value);
                    notPrincipal = property.Name == "NotPrincipal";
                    break;
                case "Action" or "NotAction":
                    if (actions is not null)
                    {
                        throw new PolicyParseException("A policy statement cannot have both Action and NotAction.");
                    }

                    actions = PolicyDocument.StringOrArray(property.Value, property.Name);
                    foreach (var action in actions)
                    {
                        if (action != "*" && !action.Contains(':', StringComparison.Ordinal))
                        {
                            throw new PolicyParseException($"The policy has an invalid action '{action}': use service:Action, such as kms:Encrypt.");
                        }
                    }

                    notAction = property.Name == "NotAction";
                    break;
                case "Resource" or "NotResource":
                    if (resources is not null)
                    {
                        throw new PolicyParseException("A policy statement cannot have both Resource and NotResource.");
                    }

                    resources = PolicyDocument.StringOrArray(property.Value, property.Name);
                    notResource = property.Name == "NotResource";
                    break;
                case "Condition":
                    conditions.AddRange(Condition.ParseBlock(property.Value));
                    break;
                default:
                    throw new PolicyParseException($"The policy statement has an unknown element '{property.Name}'.");
            }
        }

        if (effect is null)
        {
            throw new PolicyParseException("Each policy statement must have an Effect.");
        }

        if (actions is null)
        {
            throw new PolicyParseException("Each policy statement must have an Action or NotAction.");
        }

        if (kind == PolicyDocument.Kind.Resource && principal is null)
        {
            throw new PolicyParseException("Each statement of a key policy or trust policy must have a Principal or NotPrincipal.");
        }

        if (kind == PolicyDocument.Kind.Identity && principal is not null)
        {
            throw new PolicyParseException("An identity-based policy cannot have a Principal or NotPrincipal.");
        }

        if (kind == PolicyDocument.Kind.Identity && resources is null)
        {
            throw new PolicyParseException("Each statement of an identity-based policy must have a Resource or NotResource.");
        }

        return new PolicyStatement
        {
            Sid = sid,
            Effect = effect.Value,
            Principal = principal,
            NotPrincipal = notPrincipal,
            Actions = actions,
            NotAction = notAction,
            Resources = resources,
            NotResource = notResource,
            Conditions = conditions,
            ExpandsVariables = version == "2012-10-17",
        };
    }

    private static PrincipalSet ParsePrincipal(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() == "*"
                ? new PrincipalSet(true, [], [])
                : throw new PolicyParseException("Policy contains a statement with one or more invalid principals.");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyParseException("Policy contains a statement with one or more invalid principals.");
        }

        var aws = new List<string>();
        var services = new List<string>();
        foreach (var property in value.EnumerateObject())
        {
            var entries = PolicyDocument.StringOrArray(property.Value, "Principal");
            switch (property.Name)
            {
                case "AWS":
                    foreach (var entry in entries)
                    {
                        if (!PrincipalMatching.IsValidAwsPrincipal(entry))
                        {
                            throw new PolicyParseException("Policy contains a statement with one or more invalid principals.");
                        }
                    }

                    aws.AddRange(entries);
                    break;
                case "Service":
                    services.AddRange(entries);
                    break;
                case "Federated" or "CanonicalUser":
                    // Valid grammar that no Coffer principal can ever match.
                    break;
                default:
                    throw new PolicyParseException("Policy contains a statement with one or more invalid principals.");
            }
        }

        return new PrincipalSet(aws.Contains("*"), aws, services);
    }
}
