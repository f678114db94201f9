using Coffer.Service.Pipeline;
using Coffer.Service.Authorization;

namespace Coffer.Service.Operations;

public sealed class ListKeyPoliciesRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed class ListKeyPoliciesResponse
{
    public required List<string> PolicyNames { get; init; }
    public required bool Truncated { get; init; }
}

public sealed class ListKeyPolicies : Operation<ListKeyPoliciesRequest, ListKeyPoliciesResponse>
{
    public override ValueTask<ListKeyPoliciesResponse> ExecuteAsync(OperationCall call, ListKeyPoliciesRequest request) =>
        ValueTask.FromResult(new ListKeyPoliciesResponse { PolicyNames = [KeyPolicies.DefaultName], Truncated = false });
}
