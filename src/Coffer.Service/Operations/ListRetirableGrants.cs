using Coffer.Core;
using Coffer.Service.Pipeline;
using Coffer.Storage;
namespace Coffer.Service.Operations;

public sealed class ListRetirableGrantsRequest
{
    public int? Limit { get; init; }
    public string? Marker { get; init; }
    public required string RetiringPrincipal { get; init; }
}

/// <summary>Grants, on keys in the caller's region, that name <c>RetiringPrincipal</c> as their retiring principal.</summary>
public sealed class ListRetirableGrants(ICofferStore store) : Operation<ListRetirableGrantsRequest, ListGrantsResponse>
{
    public override ValueTask CheckAsync(OperationCall call, ListRetirableGrantsRequest request)
    {
        if (PrincipalAccount(request.RetiringPrincipal) != call.Context.AccountId)
        {
            // AWS: "You must specify a principal in your AWS account." One whose account cannot be read is refused too.
            KmsErrors.Throw(KmsErrors.AccessDenied,
                $"User: {call.Context.Caller.Arn} is not authorized to perform: kms:ListRetirableGrants for a retiring principal in another account");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<ListGrantsResponse> ExecuteAsync(OperationCall call, ListRetirableGrantsRequest request)
    {
        var grants = new List<GrantRecord>();
        var arns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var grant in await store.ListGrantsByRetiringPrincipalAsync(request.RetiringPrincipal, call.CancellationToken))
        {
            if (await store.FindKeyAsync(call.Context.Region, grant.KeyId, call.CancellationToken) is { } key)
            {
                grants.Add(grant);
                arns[grant.KeyId] = key.Arn;
            }
        }

        return GrantPages.Page(grants, request.Limit, request.Marker, g => GrantListEntry.From(g, arns[g.KeyId]));
    }

    /// <summary>The account of a principal given as an ARN (<c>arn:aws:iam::ACCOUNT:…</c>, <c>arn:aws:sts::ACCOUNT:…</c>) or as an account id.</summary>
    private static string? PrincipalAccount(string principal)
    {
        if (principal.Length == 12 && principal.All(char.IsAsciiDigit))
        {
            return principal;
        }

        var parts = principal.Split(':', 6);
        return parts.Length == 6 && parts[0] == "arn" ? parts[4] : null;
    }
}
