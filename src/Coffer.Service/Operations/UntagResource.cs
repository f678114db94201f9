using Coffer.Service.Pipeline;

using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class UntagResourceRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public required List<string> TagKeys { get; init; }
}

/// <summary>Removes tags; keys that are not there are ignored, as on AWS.</summary>
public sealed class UntagResource(ICofferStore store) : Operation<UntagResourceRequest, EmptyResponse>
{
    public override void Conditions(RequestFacts facts, UntagResourceRequest request) => facts.With("aws:TagKeys", request.TagKeys);

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, UntagResourceRequest request)
    {
        var removed = request.TagKeys.ToHashSet(StringComparer.Ordinal);
        var tags = await store.GetTagsAsync(call.Key.KeyId, call.CancellationToken);
        await store.ReplaceTagsAsync(call.Key.KeyId, tags.Where(t => !removed.Contains(t.Key)).ToList(), call.CancellationToken);
        return EmptyResponse.Instance;
    }
}
