using Coffer.Core;
using Coffer.Service.Keys;

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
public sealed class ListKeys(KmsRuntime runtime) : KmsOperation<ListKeysRequest, ListKeysResponse>
{
    public const int DefaultLimit = 100;

    public override async ValueTask<ListKeysResponse> ExecuteAsync(RequestContext context, ListKeysRequest request, CancellationToken cancellationToken)
    {
        if (request.Marker is not null && !KeyResolver.IsKeyIdForm(request.Marker))
        {
            KmsErrors.Throw(KmsErrors.InvalidMarker, "Invalid marker");
        }

        await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, "kms:ListKeys", "*", cancellationToken);
        var limit = request.Limit ?? DefaultLimit;
        var fetched = await runtime.Store.ListKeysAsync(context.AccountId, context.Region, request.Marker, limit + 1, cancellationToken);
        var (keys, truncated, next) = Paging.Page(fetched, limit, k => new KeyListEntry { KeyId = k.KeyId, KeyArn = k.Arn }, k => k.KeyId);
        return new ListKeysResponse { Keys = keys, Truncated = truncated, NextMarker = next };
    }
}
