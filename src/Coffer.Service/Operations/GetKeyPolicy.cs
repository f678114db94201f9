using Coffer.Service.Authorization;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class GetKeyPolicyRequest
{
    public required string KeyId { get; init; }
    public string? PolicyName { get; init; }
}

public sealed class GetKeyPolicyResponse
{
    public required string Policy { get; init; }
    public required string PolicyName { get; init; }
}

public sealed class GetKeyPolicy(KmsRuntime runtime) : KmsOperation<GetKeyPolicyRequest, GetKeyPolicyResponse>
{
    public override async ValueTask<GetKeyPolicyResponse> ExecuteAsync(RequestContext context, GetKeyPolicyRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:GetKeyPolicy", key, cancellationToken);
        KeyPolicyNames.Ensure(request.PolicyName);
        var policy = await runtime.Store.GetKeyPolicyAsync(key.KeyId, cancellationToken)
            ?? throw new InvalidOperationException($"Key {key.KeyId} has no key policy.");
        return new GetKeyPolicyResponse { Policy = policy, PolicyName = KeyPolicies.DefaultName };
    }
}
