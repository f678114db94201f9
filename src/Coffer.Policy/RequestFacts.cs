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
    /// <summary>Built once: key policies compare it with each of their principals on every request.</summary>
    public string AccountRootArn { get; } = $"arn:aws:iam::{AccountId}:root";

    /// <summary>When the temporary credentials of a session were issued (<c>aws:TokenIssueTime</c>); null for long-term keys.</summary>
    public DateTimeOffset? TokenIssuedAt { get; init; }
}

/// <summary>
/// One authorization question: may <see cref="Caller"/> perform <see cref="Action"/> on
/// <see cref="Resource"/>, given the condition values of the request? Condition keys are looked up
/// case-insensitively, as AWS does; values are lists (single-valued keys have one).
/// <para>
/// Most values are given as deferred fills (<see cref="Defer"/>) that run, in order, the first time
/// a condition or a policy variable reads a key: a policy without conditions, such as AWS's default
/// key policy, reads none, and building fifteen values per request for it was a third of what
/// authorization allocated.
/// </para>
/// </summary>
public sealed class RequestFacts
{
    private Dictionary<string, IReadOnlyList<string>>? _values;
    private List<Action<RequestFacts>>? _deferred;

    public RequestFacts(Caller caller, string action, string resource)
    {
        Caller = caller;
        Action = action;
        Resource = resource;
    }

    public Caller Caller { get; }
    public string Action { get; }
    public string Resource { get; }

    public RequestFacts With(string key, params string[] values) => With(key, (IReadOnlyList<string>)values);

    public RequestFacts With(string key, IReadOnlyList<string> values)
    {
        // Fills given earlier run first, so that a later value for the same key still wins.
        Values()[key] = values;
        return this;
    }

    /// <summary>Adds values computed only if a key is ever read; fills run in the order given, before any later <see cref="With(string, IReadOnlyList{string})"/>.</summary>
    public RequestFacts Defer(Action<RequestFacts> fill)
    {
        if (_values is not null)
        {
            fill(this);
        }
        else
        {
            (_deferred ??= []).Add(fill);
        }

        return this;
    }

    public bool TryGet(string key, out IReadOnlyList<string> values) => Values().TryGetValue(key, out values!);

    /// <summary>The names of every key present, for diagnostics and tests.</summary>
    public IEnumerable<string> Keys => Values().Keys;

    private Dictionary<string, IReadOnlyList<string>> Values()
    {
        if (_values is not null)
        {
            return _values;
        }

        _values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (_deferred is { } deferred)
        {
            _deferred = null;
            foreach (var fill in deferred)
            {
                fill(this);
            }
        }

        return _values;
    }
}
