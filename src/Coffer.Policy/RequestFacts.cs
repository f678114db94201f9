namespace Coffer.Policy;

/// <summary>What kind of principal is calling, as <c>aws:PrincipalType</c> names it.</summary>
public enum CallerKind
{
    Account,
    User,
    AssumedRole,
}

/// <summary>The authenticated caller. <see cref="RoleArn"/> is set for assumed-role sessions.</summary>
public sealed record Caller(string Arn, string AccountId, CallerKind Kind, string UserId, string? UserName = null, string? RoleArn = null)
{
    public string AccountRootArn => $"arn:aws:iam::{AccountId}:root";

    /// <summary>When the temporary credentials of a session were issued (<c>aws:TokenIssueTime</c>); null for long-term keys.</summary>
    public DateTimeOffset? TokenIssuedAt { get; init; }
}

/// <summary>
/// One authorization question: may <see cref="Caller"/> perform <see cref="Action"/> on
/// <see cref="Resource"/>, given the condition values of the request? Condition keys are looked up
/// case-insensitively, as AWS does; values are lists (single-valued keys have one).
/// </summary>
public sealed class RequestFacts
{
    private readonly Dictionary<string, IReadOnlyList<string>> _values = new(StringComparer.OrdinalIgnoreCase);

    public RequestFacts(Caller caller, string action, string resource)
    {
        Caller = caller;
        Action = action;
        Resource = resource;
    }

    public Caller Caller { get; }
    public string Action { get; }
    public string Resource { get; }

    public RequestFacts With(string key, params string[] values)
    {
        _values[key] = values;
        return this;
    }

    public RequestFacts With(string key, IReadOnlyList<string> values)
    {
        _values[key] = values;
        return this;
    }

    public bool TryGet(string key, out IReadOnlyList<string> values) => _values.TryGetValue(key, out values!);

    /// <summary>The names of every key present, for diagnostics and tests.</summary>
    public IEnumerable<string> Keys => _values.Keys;
}
