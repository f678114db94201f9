using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class ListKeysRequest
{
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed class KeyListEntry
{
    public required string KeyId { get; init; }
    public required string KeyArn { get; init; }
}

public sealed class ListKeysResponse
{
    public required List<KeyListEntry> Keys { get; init; }
    public string? NextMarker { get; init; }
    public required bool Truncated { get; init; }
}

/// <summary>Lists the caller's keys in the request's region, in key id order. The marker is the last id returned.</summary>
public sealed class ListKeys(ICofferStore store) : Operation<ListKeysRequest, ListKeysResponse>
{
    public const int DefaultLimit = 100;

    public override void Validate(ListKeysRequest request)
    {
        if (request.Marker is not null && !KeyResolver.IsKeyIdForm(request.Marker))
        {
            KmsErrors.Throw(KmsErrors.InvalidMarker, "Invalid marker");
        }
    }

    public override async ValueTask<ListKeysResponse> ExecuteAsync(OperationCall call, ListKeysRequest request)
    {
        var limit = request.Limit ?? DefaultLimit;
        var context = call.Context;
        var fetched = await store.ListKeysAsync(context.AccountId, context.Region, request.Marker, limit + 1, call.CancellationToken);
        var (keys, truncated, next) = Paging.Page(fetched, limit, k => new KeyListEntry { KeyId = k.KeyId, KeyArn = k.Arn }, k => k.KeyId);
        return new ListKeysResponse { Keys = keys, Truncated = truncated, NextMarker = next };
    }
}
