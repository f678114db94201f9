using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Coffer.Policy;

/// <summary>How a condition treats a key with several values.</summary>
public enum SetQualifier
{
    None,
    ForAnyValue,
    ForAllValues,
}

/// <summary>
/// One condition: an operator (with its IfExists and set qualifier), one key, and the values it
/// accepts (any of them). Evaluation follows AWS's documented rules: a missing key fails a
/// positive operator, satisfies a negated one and anything with IfExists; ForAllValues holds
/// vacuously for a missing key, ForAnyValue does not.
/// </summary>
public sealed class Condition
{
    private Condition(string op, ConditionOperator baseOperator, SetQualifier qualifier, bool ifExists, string key, IReadOnlyList<string> values)
    {
        Operator = op;
        BaseOperator = baseOperator;
        Qualifier = qualifier;
        IfExists = ifExists;
        Key = key;
        Values = values;
    }

    public string Operator { get; }
    public ConditionOperator BaseOperator { get; }
    public SetQualifier Qualifier { get; }
    public bool IfExists { get; }
    public string Key { get; }
    public IReadOnlyList<string> Values { get; }

    internal static IEnumerable<Condition> ParseBlock(JsonElement block)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyParseException("The policy element Condition must be an object.");
        }

        var conditions = new List<Condition>();
        PolicyDocument.RejectDuplicateNames(block);
        foreach (var operatorProperty in block.EnumerateObject())
        {
            var (baseOperator, qualifier, ifExists) = ParseOperator(operatorProperty.Name);
            if (operatorProperty.Value.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyParseException($"The condition operator {operatorProperty.Name} must map condition keys to values.");
            }

            foreach (var keyProperty in operatorProperty.Value.EnumerateObject())
            {
                // Condition values may be bare numbers and booleans: "aws:SecureTransport": false.
                var values = keyProperty.Value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
                    ? [keyProperty.Value.GetRawText()]
                    : PolicyDocument.StringOrArray(keyProperty.Value, $"Condition {operatorProperty.Name}");
                var condition = new Condition(operatorProperty.Name, baseOperator, qualifier, ifExists, keyProperty.Name, values);
                condition.CheckValues();
                conditions.Add(condition);
            }
        }

        return conditions;
    }

    private static (ConditionOperator, SetQualifier, bool) ParseOperator(string name)
    {
        var rest = name;
        var qualifier = SetQualifier.None;
        if (rest.StartsWith("ForAnyValue:", StringComparison.Ordinal))
        {
            qualifier = SetQualifier.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        else if (rest.StartsWith("ForAllValues:", StringComparison.Ordinal))
        {
            qualifier = SetQualifier.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }

        var ifExists = rest.EndsWith("IfExists", StringComparison.Ordinal);
        if (ifExists)
        {
            rest = rest[..^"IfExists".Length];
        }

        if (!Enum.TryParse<ConditionOperator>(rest, ignoreCase: false, out var op) || !Enum.IsDefined(op) || (op == ConditionOperator.Null && ifExists))
        {
            throw new PolicyParseException($"The policy has an invalid condition operator '{name}'.");
        }

        return (op, qualifier, ifExists);
    }

    private void CheckValues()
    {
        foreach (var value in Values)
        {
            var valid = BaseOperator switch
            {
                ConditionOperator.NumericEquals or ConditionOperator.NumericNotEquals or ConditionOperator.NumericLessThan
                    or ConditionOperator.NumericLessThanEquals or ConditionOperator.NumericGreaterThan or ConditionOperator.NumericGreaterThanEquals
                    => decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
                ConditionOperator.DateEquals or ConditionOperator.DateNotEquals or ConditionOperator.DateLessThan
                    or ConditionOperator.DateLessThanEquals or ConditionOperator.DateGreaterThan or ConditionOperator.DateGreaterThanEquals
                    => TryDate(value, out _),
                ConditionOperator.IpAddress or ConditionOperator.NotIpAddress => Cidr.TryParse(value, out _),
                ConditionOperator.Bool or ConditionOperator.Null => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase),
                _ => true,
            };
            if (!valid)
            {
                throw new PolicyParseException($"The condition {Operator} on {Key} has an invalid value '{value}'.");
            }
        }
    }

    /// <summary>Evaluates the condition against the request. Variables in values are expanded first.</summary>
    public bool Evaluate(RequestFacts facts, bool expandVariables)
    {
        var present = facts.TryGet(Key, out var contextValues) && contextValues.Count > 0;
        if (BaseOperator == ConditionOperator.Null)
        {
            var wantsAbsent = Values.Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase));
            return wantsAbsent != present;
        }

        if (!present)
        {
            return Qualifier switch
            {
                SetQualifier.ForAllValues => true,
                SetQualifier.ForAnyValue => false,
                _ => IfExists || IsNegated(BaseOperator),
            };
        }

        var wildcard = BaseOperator is ConditionOperator.StringLike or ConditionOperator.StringNotLike or ConditionOperator.ArnLike
            or ConditionOperator.ArnNotLike or ConditionOperator.ArnEquals or ConditionOperator.ArnNotEquals;
        var policyValues = expandVariables ? Values.Select(v => PolicyVariables.Expand(v, facts, wildcard)).ToList() : Values;
        var negated = IsNegated(BaseOperator);
        var positive = Positive(BaseOperator);
        bool MatchesAny(string contextValue) => policyValues.Any(policyValue => Compare(positive, contextValue, policyValue));

        return Qualifier switch
        {
            // Negated operators with a set qualifier apply the negation per context value.
            SetQualifier.ForAnyValue => contextValues.Any(c => MatchesAny(c) != negated),
            SetQualifier.ForAllValues => contextValues.All(c => MatchesAny(c) != negated),
            _ => contextValues.Any(MatchesAny) != negated,
        };
    }

    private static bool IsNegated(ConditionOperator op) => op is ConditionOperator.StringNotEquals or ConditionOperator.StringNotEqualsIgnoreCase
        or ConditionOperator.StringNotLike or ConditionOperator.NumericNotEquals or ConditionOperator.DateNotEquals
        or ConditionOperator.NotIpAddress or ConditionOperator.ArnNotEquals or ConditionOperator.ArnNotLike;

    private static ConditionOperator Positive(ConditionOperator op) => op switch
    {
        ConditionOperator.StringNotEquals => ConditionOperator.StringEquals,
        ConditionOperator.StringNotEqualsIgnoreCase => ConditionOperator.StringEqualsIgnoreCase,
        ConditionOperator.StringNotLike => ConditionOperator.StringLike,
        ConditionOperator.NumericNotEquals => ConditionOperator.NumericEquals,
        ConditionOperator.DateNotEquals => ConditionOperator.DateEquals,
        ConditionOperator.NotIpAddress => ConditionOperator.IpAddress,
        ConditionOperator.ArnNotEquals => ConditionOperator.ArnEquals,
        ConditionOperator.ArnNotLike => ConditionOperator.ArnLike,
        _ => op,
    };

    private static bool Compare(ConditionOperator op, string context, string policy) => op switch
    {
        ConditionOperator.StringEquals => context == policy,
        ConditionOperator.StringEqualsIgnoreCase => string.Equals(context, policy, StringComparison.OrdinalIgnoreCase),
        ConditionOperator.StringLike => Wildcard.Matches(policy, context, ignoreCase: false),
        ConditionOperator.NumericEquals => Numeric(context, policy) is 0,
        ConditionOperator.NumericLessThan => Numeric(context, policy) is < 0,
        ConditionOperator.NumericLessThanEquals => Numeric(context, policy) is <= 0,
        ConditionOperator.NumericGreaterThan => Numeric(context, policy) is > 0,
        ConditionOperator.NumericGreaterThanEquals => Numeric(context, policy) is >= 0,
        ConditionOperator.DateEquals => DateCompare(context, policy) is 0,
        ConditionOperator.DateLessThan => DateCompare(context, policy) is < 0,
        ConditionOperator.DateLessThanEquals => DateCompare(context, policy) is <= 0,
        ConditionOperator.DateGreaterThan => DateCompare(context, policy) is > 0,
        ConditionOperator.DateGreaterThanEquals => DateCompare(context, policy) is >= 0,
        ConditionOperator.Bool => string.Equals(context, policy, StringComparison.OrdinalIgnoreCase),
        ConditionOperator.BinaryEquals => context == policy,
        ConditionOperator.IpAddress => Cidr.TryParse(policy, out var cidr) && IPAddress.TryParse(context, out var address) && cidr.Contains(address),
        ConditionOperator.ArnEquals or ConditionOperator.ArnLike => ArnMatches(policy, context),
        _ => false,
    };

    private static int? Numeric(string context, string policy) =>
        decimal.TryParse(context, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && decimal.TryParse(policy, NumberStyles.Float, CultureInfo.InvariantCulture, out var p)
            ? c.CompareTo(p)
            : null;

    private static int? DateCompare(string context, string policy) =>
        TryDate(context, out var c) && TryDate(policy, out var p) ? c.CompareTo(p) : null;

    private static readonly long MinEpochSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxEpochSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>ISO 8601 dates and times, or epoch seconds, as AWS accepts them.</summary>
    internal static bool TryDate(string value, out DateTimeOffset date)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
        {
            // Seconds past the year 9999 name no date: not a date, rather than an exception.
            var valid = epoch >= MinEpochSeconds && epoch <= MaxEpochSeconds;
            date = valid ? DateTimeOffset.FromUnixTimeSeconds(epoch) : default;
            return valid;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
    }

    /// <summary>ARNs match segment by segment (the resource part may contain colons); each segment takes wildcards.</summary>
    private static bool ArnMatches(string pattern, string arn)
    {
        var patternParts = pattern.Split(':', 6);
        var arnParts = arn.Split(':', 6);
        if (patternParts.Length != 6 || arnParts.Length != 6)
        {
            return pattern == "*" || Wildcard.Matches(pattern, arn, ignoreCase: false);
        }

        for (var i = 0; i < 6; i++)
        {
            if (!Wildcard.Matches(patternParts[i], arnParts[i], ignoreCase: false))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The condition operators of the IAM policy grammar (without IfExists or set qualifiers).</summary>
public enum ConditionOperator
{
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}
