using System.Reflection;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Benchmarks;

/// <summary>
/// An <see cref="ICofferStore"/> that answers, from memory, only the reads the hot path makes when
/// a cache misses (the access key and its user, the user's policies and tags, key policies, grants)
/// and throws for anything else, so a benchmark can never quietly measure a write or a store it
/// did not mean to. A proxy rather than a class, since the interface has some sixty members and
/// the hot path touches six.
/// </summary>
public class InMemoryReads : DispatchProxy
{
    private AccessKeyRecord _accessKey = null!;
    private PrincipalRecord _user = null!;
    private IReadOnlyList<PrincipalPolicy> _userPolicies = [];
    private IReadOnlyDictionary<string, string> _keyPolicies = new Dictionary<string, string>();

    /// <summary>How many calls the store has answered.</summary>
    public int Calls { get; private set; }

    public static InMemoryReads Create(AccessKeyRecord accessKey, PrincipalRecord user, IReadOnlyList<PrincipalPolicy> userPolicies,
        IReadOnlyDictionary<string, string> keyPolicies)
    {
        var store = (InMemoryReads)(object)Create<ICofferStore, InMemoryReads>();
        store._accessKey = accessKey;
        store._user = user;
        store._userPolicies = userPolicies;
        store._keyPolicies = keyPolicies;
        return store;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        Calls++;
        return targetMethod?.Name switch
        {
            nameof(ICofferStore.FindAccessKeyAsync) => new ValueTask<AccessKeyRecord?>(Argument(args) == _accessKey.AccessKeyId ? _accessKey : null),
            nameof(ICofferStore.FindPrincipalAsync) => new ValueTask<PrincipalRecord?>(_user),
            nameof(ICofferStore.ListPrincipalPoliciesAsync) => new ValueTask<IReadOnlyList<PrincipalPolicy>>(Argument(args) == _user.Arn ? _userPolicies : []),
            nameof(ICofferStore.GetPrincipalTagsAsync) => new ValueTask<IReadOnlyList<KmsTag>>([]),
            nameof(ICofferStore.GetKeyPolicyAsync) => new ValueTask<string?>(_keyPolicies.GetValueOrDefault(Argument(args))),
            nameof(ICofferStore.ListGrantsForGranteesAsync) => new ValueTask<IReadOnlyList<GrantRecord>>([]),
            _ => throw new NotSupportedException($"The hot-path benchmarks' store does not serve {targetMethod?.Name}."),
        };
    }

    private static string Argument(object?[]? args) => args is [string first, ..] ? first : "";
}
