using Coffer.Service.Pipeline;
using Coffer.Service.Authorization;

using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class GetKeyPolicyRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public string? PolicyName { get; init; }
}

public sealed class GetKeyPolicyResponse
{
    public required string Policy { get; init; }
    public required string PolicyName { get; init; }
}

public sealed class GetKeyPolicy(ICofferStore store) : Operation<GetKeyPolicyRequest, GetKeyPolicyResponse>
{
    public override ValueTask CheckAsync(OperationCall call, GetKeyPolicyRequest request)
    {
        KeyPolicyNames.Ensure(request.PolicyName);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<GetKeyPolicyResponse> ExecuteAsync(OperationCall call, GetKeyPolicyRequest request)
    {
        var policy = await store.GetKeyPolicyAsync(call.Key.KeyId, call.CancellationToken)
            ?? throw new InvalidOperationException($"Key {call.Key.KeyId} has no key policy.");
        return new GetKeyPolicyResponse { Policy = policy, PolicyName = KeyPolicies.DefaultName };
    }
}
