using Coffer.Service.Pipeline;
using Coffer.Core;

using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class ListResourceTagsRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed class ListResourceTagsResponse
{
    public required List<Tag> Tags { get; init; }
    public string? NextMarker { get; init; }
    public required bool Truncated { get; init; }
}

/// <summary>Lists a key's tags in tag-key order; the marker is the last tag key returned.</summary>
public sealed class ListResourceTags(ICofferStore store) : Operation<ListResourceTagsRequest, ListResourceTagsResponse>
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 50;

    public override async ValueTask<ListResourceTagsResponse> ExecuteAsync(OperationCall call, ListResourceTagsRequest request)
    {
        var all = await store.GetTagsAsync(call.Key.KeyId, call.CancellationToken);
        var start = 0;
        if (request.Marker is not null)
        {
            start = all.ToList().FindIndex(t => t.Key == request.Marker) + 1;
            if (start == 0)
            {
                KmsErrors.Throw(KmsErrors.InvalidMarker, "Invalid marker");
            }
        }

        var limit = Math.Min(request.Limit ?? DefaultLimit, MaxLimit);
        var tags = all.Skip(start).Take(limit).Select(t => new Tag { TagKey = t.Key, TagValue = t.Value }).ToList();
        var truncated = start + tags.Count < all.Count;
        return new ListResourceTagsResponse { Tags = tags, Truncated = truncated, NextMarker = truncated ? tags[^1].TagKey : null };
    }
}
