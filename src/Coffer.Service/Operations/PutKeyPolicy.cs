using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Authorization;

using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class PutKeyPolicyRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public string? PolicyName { get; init; }
    public required string Policy { get; init; }
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
}

/// <summary>Replaces the key policy, after the syntax and lockout safety checks. It takes effect at once.</summary>
public sealed class PutKeyPolicy(ICofferStore store, KmsAuthorizer authorizer, PolicyCache policies) : Operation<PutKeyPolicyRequest, EmptyResponse>
{
    public override void Conditions(RequestFacts facts, PutKeyPolicyRequest request) =>
        facts.With("kms:BypassPolicyLockoutSafetyCheck", request.BypassPolicyLockoutSafetyCheck == true ? "true" : "false");

    public override async ValueTask CheckAsync(OperationCall call, PutKeyPolicyRequest request)
    {
        KeyPolicyNames.Ensure(request.PolicyName);
        await KeyPolicies.ValidateAsync(authorizer, call.Context, request.Policy, call.Key.Arn, request.BypassPolicyLockoutSafetyCheck == true, call.CancellationToken);
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, PutKeyPolicyRequest request)
    {
        await store.SetKeyPolicyAsync(call.Key.KeyId, request.Policy, call.CancellationToken);
        policies.InvalidateKeyPolicy(call.Key.KeyId);
        return EmptyResponse.Instance;
    }
}

/// <summary>KMS keys have exactly one policy, named <c>default</c>.</summary>
internal static class KeyPolicyNames
{
    public static void Ensure(string? name)
    {
        if (name is not null && name != KeyPolicies.DefaultName)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"No such policy exists: {name}");
        }
    }
}
