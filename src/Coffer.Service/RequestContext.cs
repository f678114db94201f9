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

    /// <summary>The resources (key ARNs) the request touched, in order, for its audit event.</summary>
    public List<string> Resources { get; } = [];

    public void Touch(string arn)
    {
        if (!Resources.Contains(arn, StringComparer.Ordinal))
        {
            Resources.Add(arn);
        }
    }
}

/// <summary>
/// One KMS operation: a typed request in, a typed response out. Implementations validate what
/// the model cannot express (combinations of fields, key states) and nothing the protocol layer
/// already checked.
/// </summary>
public abstract class KmsOperation<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    public abstract ValueTask<TResponse> ExecuteAsync(RequestContext context, TRequest request, CancellationToken cancellationToken);
}

/// <summary>The response of operations that answer with an empty JSON object.</summary>
public sealed class EmptyResponse
{
    public static readonly EmptyResponse Instance = new();
}
