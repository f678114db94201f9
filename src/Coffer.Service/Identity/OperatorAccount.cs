using System.Text;
using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Identity;

/// <summary>
/// The deployment's operator account: the first account, made by <c>coffer init</c> or by the
/// first start of a dev server. Deployment-wide actions (sealing, rotating the domain key) touch
/// every tenant, so they belong to it alone; an IAM policy in any other account cannot grant them,
/// however broad. Within the operator account, IAM policies still decide who may.
/// </summary>
public sealed class OperatorAccount(string? accountId)
{
    private const string Setting = "operator-account";

    /// <summary>Records <paramref name="accountId"/> as the operator account unless one is recorded already; returns the one recorded.</summary>
    public static async Task<string> RecordAsync(ICofferStore store, string accountId, CancellationToken cancellationToken)
    {
        await store.TryInsertSettingAsync(Setting, Encoding.UTF8.GetBytes(accountId), cancellationToken);
        return (await ReadAsync(store, cancellationToken))!;
    }

    /// <summary>The recorded operator account; null for a data folder initialised before it was recorded, where no account may act as operator.</summary>
    public static async Task<string?> ReadAsync(ICofferStore store, CancellationToken cancellationToken) =>
        await store.GetSettingAsync(Setting, cancellationToken) is { } value ? Encoding.UTF8.GetString(value) : null;

    /// <summary>Refuses an operator action to a caller outside the operator account, with AWS's AccessDenied shape.</summary>
    public void Require(RequestContext context, string action)
    {
        if (accountId is null || context.AccountId != accountId)
        {
            KmsErrors.Throw(KmsErrors.AccessDenied,
                $"User: {context.Caller.Arn} is not authorized to perform: {action} on resource: * because {action} is reserved to the deployment's operator account");
        }
    }
}
