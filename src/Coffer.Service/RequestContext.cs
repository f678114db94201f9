namespace Coffer.Service;

/// <summary>Who is asking, where: the authenticated caller and the region the request was signed for.</summary>
public sealed record RequestContext(string AccountId, string Region, string PrincipalArn, string AccessKeyId, string RequestId);

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
