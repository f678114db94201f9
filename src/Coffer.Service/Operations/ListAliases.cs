using Coffer.Service.Pipeline;
using Coffer.Core;

using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class ListAliasesRequest
{
    public string? KeyId { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed class AliasListEntry
{
    public required string AliasName { get; init; }
    public required string AliasArn { get; init; }
    public string? TargetKeyId { get; init; }
    public DateTimeOffset? CreationDate { get; init; }
    public DateTimeOffset? LastUpdatedDate { get; init; }
}

public sealed class ListAliasesResponse
{
    public required List<AliasListEntry> Aliases { get; init; }
    public string? NextMarker { get; init; }
    public required bool Truncated { get; init; }
}

/// <summary>Lists aliases in name order, all of the account's in the region or those of one key.</summary>
public sealed class ListAliases(ICofferStore store) : Operation<ListAliasesRequest, ListAliasesResponse>
{
    public const int DefaultLimit = 50;

    // The model allows 1000, but KMS documents and enforces at most 100 aliases a page.
    public const int MaxLimit = 100;

    public override void Validate(ListAliasesRequest request)
    {
        if (request.Marker is not null && !request.Marker.StartsWith(Arns.AliasPrefix, StringComparison.Ordinal))
        {
            KmsErrors.Throw(KmsErrors.InvalidMarker, "Invalid marker");
        }
    }

    public override async ValueTask<ListAliasesResponse> ExecuteAsync(OperationCall call, ListAliasesRequest request)
    {
        var context = call.Context;
        // KeyId is a filter here, not the resource authorized: it is resolved only after the IAM check.
        var keyId = request.KeyId is null ? null : (await call.ResolveAsync(request.KeyId)).KeyId;
        var limit = Math.Min(request.Limit ?? DefaultLimit, MaxLimit);
        var fetched = await store.ListAliasesAsync(context.AccountId, context.Region, keyId, request.Marker, limit + 1, call.CancellationToken);
        var (aliases, truncated, next) = Paging.Page(fetched, limit, a => new AliasListEntry
        {
            AliasName = a.Name,
            AliasArn = a.Arn,
            TargetKeyId = a.TargetKeyId,
            CreationDate = a.CreationDate,
            LastUpdatedDate = a.LastUpdatedDate,
        }, a => a.Name);
        return new ListAliasesResponse { Aliases = aliases, Truncated = truncated, NextMarker = next };
    }
}
