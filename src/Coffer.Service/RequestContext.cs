using Coffer.Policy;
using Coffer.Service.Identity;

namespace Coffer.Service;

/// <summary>
/// Who is asking, from where, for which region: the authenticated caller, the region the request
/// was signed for, and the transport facts that condition keys read.
/// </summary>
public sealed record RequestContext(Principal Principal, string Region, string RequestId, string SourceIp, bool SecureTransport)
{
    public Caller Caller => Principal.Caller;
    public string AccountId => Principal.Caller.AccountId;

    /// <summary>The caller's IAM policies and tags, once the authorizer has read them for this request.</summary>
    internal Authorization.IdentityPolicies? CallerIdentity { get; set; }

    /// <summary>The resources (key ARNs) the request touched, in order, for its audit event.</summary>
    public List<string> Resources { get; } = [];

    /// <summary>The context of a request that carries its own credential instead of a signature (an unseal share): it is no one, and may do nothing that asks who.</summary>
    public static RequestContext Anonymous(string requestId, string sourceIp, bool secureTransport) =>
        new(new Principal(new Caller("", "", CallerKind.User, ""), ""), "", requestId, sourceIp, secureTransport);

    public void Touch(string arn)
    {
        if (!Resources.Contains(arn, StringComparer.Ordinal))
        {
            Resources.Add(arn);
        }
    }
}

/// <summary>The response of operations that answer with an empty JSON object.</summary>
public sealed class EmptyResponse
{
    public static readonly EmptyResponse Instance = new();
}
