using Coffer.Service.Authorization;
using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class TagResourceRequest
{
    public required string KeyId { get; init; }
    public required List<Tag> Tags { get; init; }
}

/// <summary>Adds tags or overwrites the values of existing ones.</summary>
public sealed class TagResource(KmsRuntime runtime) : KmsOperation<TagResourceRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(RequestContext context, TagResourceRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:TagResource", key, cancellationToken, f => f.RequestTags(request.Tags));
        KeyStateRules.EnsureNotPendingDeletion(key);
        var added = TagRules.Validate(request.Tags);
        var merged = (await runtime.Store.GetTagsAsync(key.KeyId, cancellationToken)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        foreach (var tag in added)
        {
            merged[tag.Key] = tag.Value;
        }

        if (merged.Count > TagRules.MaxTagsPerKey)
        {
            KmsErrors.Throw(KmsErrors.LimitExceeded, $"A KMS key can have at most {TagRules.MaxTagsPerKey} tags.");
        }

        await runtime.Store.ReplaceTagsAsync(key.KeyId, merged.Select(p => new KmsTag(p.Key, p.Value)).ToList(), cancellationToken);
        return EmptyResponse.Instance;
    }
}
