using Coffer.Service.Authorization;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class ListKeyPoliciesRequest
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

public sealed class ListKeyPolicies(KmsRuntime runtime) : KmsOperation<ListKeyPoliciesRequest, ListKeyPoliciesResponse>
{
    public override async ValueTask<ListKeyPoliciesResponse> ExecuteAsync(RequestContext context, ListKeyPoliciesRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:ListKeyPolicies", key, cancellationToken);
        return new ListKeyPoliciesResponse { PolicyNames = [KeyPolicies.DefaultName], Truncated = false };
    }
}
