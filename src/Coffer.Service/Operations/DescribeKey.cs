using Coffer.Service.Authorization;
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
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOrAlias, CrossAccountUse.Yes, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:DescribeKey", key, cancellationToken, f => f.RequestAlias(request.KeyId));
        return new DescribeKeyResponse { KeyMetadata = KeyMetadata.From(key) };
    }
}
