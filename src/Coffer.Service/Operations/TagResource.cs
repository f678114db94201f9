using Coffer.Service.Pipeline;
using Coffer.Service.Authorization;
using Coffer.Core;
using Coffer.Service.Keys;

using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class TagResourceRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public required List<Tag> Tags { get; init; }
}

/// <summary>Adds tags or overwrites the values of existing ones.</summary>
public sealed class TagResource(ICofferStore store) : Operation<TagResourceRequest, EmptyResponse>
{
    public override void Conditions(RequestFacts facts, TagResourceRequest request) => facts.RequestTags(request.Tags);

    public override ValueTask CheckAsync(OperationCall call, TagResourceRequest request)
    {
        TagRules.Validate(request.Tags);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, TagResourceRequest request)
    {
        var key = call.Key;
        var merged = (await store.GetTagsAsync(key.KeyId, call.CancellationToken)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        foreach (var tag in TagRules.Validate(request.Tags))
        {
            merged[tag.Key] = tag.Value;
        }

        if (merged.Count > TagRules.MaxTagsPerKey)
        {
            KmsErrors.Throw(KmsErrors.LimitExceeded, $"A KMS key can have at most {TagRules.MaxTagsPerKey} tags.");
        }

        await store.ReplaceTagsAsync(key.KeyId, merged.Select(p => new KmsTag(p.Key, p.Value)).ToList(), call.CancellationToken);
        return EmptyResponse.Instance;
    }
}
