using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class ListGrantsRequest : IKeyRequest
{
    public int? Limit { get; init; }
    public string? Marker { get; init; }
    public required string KeyId { get; init; }
    public string? GrantId { get; init; }
    public string? GranteePrincipal { get; init; }
}

public sealed class GrantListEntry
{
    public required string KeyId { get; init; }
    public required string GrantId { get; init; }
    public string? Name { get; init; }
    public required DateTimeOffset CreationDate { get; init; }
    public required string GranteePrincipal { get; init; }
    public string? RetiringPrincipal { get; init; }
    public required string IssuingAccount { get; init; }
    public required List<string> Operations { get; init; }
    public GrantConstraints? Constraints { get; init; }

    public static GrantListEntry From(GrantRecord grant, string keyArn) => new()
    {
        KeyId = keyArn,
        GrantId = grant.GrantId,
        Name = grant.Name,
        CreationDate = grant.CreatedAt,
        GranteePrincipal = grant.GranteePrincipal,
        RetiringPrincipal = grant.RetiringPrincipal,
        IssuingAccount = $"arn:aws:iam::{grant.IssuingAccount}:root",
        Operations = [.. grant.Operations],
        Constraints = grant.EncryptionContextEquals is null && grant.EncryptionContextSubset is null ? null : new GrantConstraints
        {
            EncryptionContextEquals = grant.EncryptionContextEquals?.ToDictionary(),
            EncryptionContextSubset = grant.EncryptionContextSubset?.ToDictionary(),
        },
    };
}

public sealed class ListGrantsResponse
{
    public required List<GrantListEntry> Grants { get; init; }
    public string? NextMarker { get; init; }
    public required bool Truncated { get; init; }
}

/// <summary>Lists a key's grants, optionally one grant or one grantee's, with AWS's paging (1–100, default 50).</summary>
public sealed class ListGrants(ICofferStore store) : Operation<ListGrantsRequest, ListGrantsResponse>
{
    public override async ValueTask<ListGrantsResponse> ExecuteAsync(OperationCall call, ListGrantsRequest request)
    {
        var grants = (await store.ListGrantsAsync(call.Key.KeyId, call.CancellationToken))
            .Where(g => (request.GrantId is null || g.GrantId == request.GrantId) && (request.GranteePrincipal is null || g.GranteePrincipal == request.GranteePrincipal))
            .ToList();
        return GrantPages.Page(grants, request.Limit, request.Marker, g => GrantListEntry.From(g, call.Key.Arn));
    }
}

/// <summary>Paging over an in-memory grant list; the marker is the last grant id returned.</summary>
internal static class GrantPages
{
    public static ListGrantsResponse Page(List<GrantRecord> grants, int? limit, string? marker, Func<GrantRecord, GrantListEntry> map)
    {
        var start = 0;
        if (marker is not null)
        {
            start = grants.FindIndex(g => g.GrantId == marker) + 1;
            if (start == 0)
            {
                KmsErrors.Throw(KmsErrors.InvalidMarker, "Invalid marker");
            }
        }

        var (items, truncated, next) = Paging.Page(grants.Skip(start).ToList(), Math.Min(limit ?? 50, 100), map, g => g.GrantId);
        return new ListGrantsResponse { Grants = items, Truncated = truncated, NextMarker = next };
    }
}
