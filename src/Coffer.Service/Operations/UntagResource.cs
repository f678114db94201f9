using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class UntagResourceRequest
{
    public required string KeyId { get; init; }
    public required List<string> TagKeys { get; init; }
}

/// <summary>Removes tags; keys that are not there are ignored, as on AWS.</summary>
public sealed class UntagResource(KmsRuntime runtime) : KmsOperation<UntagResourceRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, UntagResourceRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:UntagResource", key, cancellationToken, f => f.With("aws:TagKeys", request.TagKeys));
        KeyStateRules.EnsureNotPendingDeletion(key);
        var removed = request.TagKeys.ToHashSet(StringComparer.Ordinal);
        var tags = await runtime.Store.GetTagsAsync(key.KeyId, cancellationToken);
        await runtime.Store.ReplaceTagsAsync(key.KeyId, tags.Where(t => !removed.Contains(t.Key)).ToList(), cancellationToken);
        return EmptyResponse.Instance;
    }
}
