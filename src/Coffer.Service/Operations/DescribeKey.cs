using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class DescribeKeyRequest
{
    public required string KeyId { get; init; }
    public List<string>? GrantTokens { get; init; }
}

public sealed class DescribeKeyResponse
{
    public required KeyMetadata KeyMetadata { get; init; }
}

public sealed class DescribeKey(KmsRuntime runtime) : KmsOperation<DescribeKeyRequest, DescribeKeyResponse>
{
    public override async ValueTask<DescribeKeyResponse> ExecuteAsync(RequestContext context, DescribeKeyRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOrAlias, cancellationToken);
        return new DescribeKeyResponse { KeyMetadata = KeyMetadata.From(key) };
    }
}
