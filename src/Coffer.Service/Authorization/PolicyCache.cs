using Coffer.Barrier;
using Coffer.Core;
using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Authorization;

/// <summary>
/// Compiled policies, so a request parses none: each principal's identity policies and tags, and
/// each key's key policy. Entries live at most <see cref="Lifetime"/>, so a change made on any
/// node takes effect everywhere within a second; a change made on this node takes effect at once.
/// Each cache holds at most <see cref="Capacity"/> entries and is emptied when the server is sealed.
/// Thread-safe.
/// </summary>
public sealed class PolicyCache(ICofferStore store, TimeProvider clock, Keyring keyring)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    public const int Capacity = 10_000;
    private readonly ExpiringCache<string, IdentityPolicies> _identities = new(Capacity, Lifetime, clock, keyring);
    private readonly ExpiringCache<string, PolicyDocument?> _keyPolicies = new(Capacity, Lifetime, clock, keyring);

    /// <summary>The inline policies and tags of a user, or of the role behind an assumed-role session.</summary>
    public async ValueTask<IdentityPolicies> IdentityAsync(Caller caller, CancellationToken cancellationToken)
    {
        var arn = caller.RoleArn ?? caller.Arn;
        if (_identities.TryGetFresh(arn, out var cached))
        {
            return cached;
        }

        var documents = new List<PolicyDocument>();
        foreach (var policy in await store.ListPrincipalPoliciesAsync(arn, cancellationToken))
        {
            try
            {
                documents.Add(PolicyDocument.Parse(policy.Document, PolicyDocument.Kind.Identity));
            }
            catch (PolicyParseException)
            {
                // Stored policies were checked when written; one that no longer parses cannot allow
                // anything, so it is skipped, never treated as an allow.
            }
        }

        var value = new IdentityPolicies(documents, await store.GetPrincipalTagsAsync(arn, cancellationToken));
        _identities.Set(arn, value);
        return value;
    }

    /// <summary>
    /// The compiled key policy. A policy that cannot be read or parsed is an error, never "no policy":
    /// authorization fails closed.
    /// </summary>
    public async ValueTask<PolicyDocument> KeyPolicyAsync(KmsKey key, CancellationToken cancellationToken)
    {
        if (!_keyPolicies.TryGetFresh(key.KeyId, out var cached))
        {
            var text = await store.GetKeyPolicyAsync(key.KeyId, cancellationToken);
            cached = text is null ? null : PolicyDocument.Parse(text, PolicyDocument.Kind.Resource);
            _keyPolicies.Set(key.KeyId, cached);
        }

        return cached ?? throw new InvalidOperationException($"Key {key.KeyId} has no key policy; refusing the request.");
    }

    public void InvalidateIdentity(string principalArn) => _identities.Remove(principalArn);

    public void InvalidateKeyPolicy(string keyId) => _keyPolicies.Remove(keyId);
}

/// <summary>A principal's compiled identity policies and its tags.</summary>
public sealed record IdentityPolicies(IReadOnlyList<PolicyDocument> Policies, IReadOnlyList<KmsTag> Tags);
