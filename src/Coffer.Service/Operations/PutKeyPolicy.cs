using Coffer.Core;
using Coffer.Service.Authorization;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class PutKeyPolicyRequest
{
    public required string KeyId { get; init; }
    public string? PolicyName { get; init; }
    public required string Policy { get; init; }
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
}

/// <summary>Replaces the key policy, after the syntax and lockout safety checks. It takes effect at once.</summary>
public sealed class PutKeyPolicy(KmsRuntime runtime) : KmsOperation<PutKeyPolicyRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, PutKeyPolicyRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:PutKeyPolicy", key, cancellationToken,
            f => f.With("kms:BypassPolicyLockoutSafetyCheck", request.BypassPolicyLockoutSafetyCheck == true ? "true" : "false"));
        KeyPolicyNames.Ensure(request.PolicyName);
        await KeyPolicies.ValidateAsync(runtime, context, request.Policy, key.Arn, request.BypassPolicyLockoutSafetyCheck == true, cancellationToken);
        await runtime.Store.SetKeyPolicyAsync(key.KeyId, request.Policy, cancellationToken);
        runtime.Policies.InvalidateKeyPolicy(key.KeyId);
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
