using Coffer.Core;
using Coffer.Service.Keys;

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
public sealed class ListAliases(KmsRuntime runtime) : KmsOperation<ListAliasesRequest, ListAliasesResponse>
{
    public const int DefaultLimit = 50;

    // The model allows 1000, but KMS documents and enforces at most 100 aliases a page.
    public const int MaxLimit = 100;

    public override async ValueTask<ListAliasesResponse> ExecuteAsync(RequestContext context, ListAliasesRequest request, CancellationToken cancellationToken)
    {
        if (request.Marker is not null && !request.Marker.StartsWith(Arns.AliasPrefix, StringComparison.Ordinal))
        {
            KmsErrors.Throw(KmsErrors.InvalidMarker, "Invalid marker");
        }

        await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, "kms:ListAliases", "*", cancellationToken);
        string? keyId = null;
        if (request.KeyId is not null)
        {
            keyId = (await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken)).KeyId;
        }

        var limit = Math.Min(request.Limit ?? DefaultLimit, MaxLimit);
        var fetched = await runtime.Store.ListAliasesAsync(context.AccountId, context.Region, keyId, request.Marker, limit + 1, cancellationToken);
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
