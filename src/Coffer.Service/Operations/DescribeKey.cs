using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class DescribeKeyRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public List<string>? GrantTokens { get; init; }
}

public sealed class DescribeKeyResponse
{
    public required KeyMetadata KeyMetadata { get; init; }
}

public sealed class DescribeKey : Operation<DescribeKeyRequest, DescribeKeyResponse>
{
    public override ValueTask<DescribeKeyResponse> ExecuteAsync(OperationCall call, DescribeKeyRequest request) =>
        ValueTask.FromResult(new DescribeKeyResponse { KeyMetadata = KeyMetadata.From(call.Key) });
}
