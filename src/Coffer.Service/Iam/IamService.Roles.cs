using Coffer.Storage;

namespace Coffer.Service.Iam;

/// <summary>Roles and their trust policies.</summary>
public sealed partial class IamService
{
    public const int DefaultMaxSessionSeconds = 3600;

    public async ValueTask<IamRole> CreateRoleAsync(RequestContext context, string roleName, string? path, string trustPolicy, int? maxSessionDuration, CancellationToken cancellationToken)
    {
        ValidateName(roleName, "roleName");
        var normalizedPath = NormalizePath(path);
        var arn = Identity.IdentityIds.RoleArn(context.AccountId, roleName, normalizedPath);
        await AuthorizeAsync(context, "iam:CreateRole", arn, cancellationToken);
        ParsePolicy(trustPolicy, Policy.PolicyDocument.Kind.Resource);
        var maxSession = maxSessionDuration ?? DefaultMaxSessionSeconds;
        if (maxSession is < 3600 or > 43200)
        {
            IamErrors.Throw(IamErrors.Validation,
                $"1 validation error detected: Value '{maxSession}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value {(maxSession < 3600 ? "greater than or equal to 3600" : "less than or equal to 43200")}");
        }

        var record = new PrincipalRecord(arn, context.AccountId, PrincipalKind.Role, roleName, Identity.IdentityIds.RoleId(), normalizedPath,
            clock.GetUtcNow(), trustPolicy, maxSession);
        if (!await Store.TryInsertPrincipalAsync(record, cancellationToken))
        {
            IamErrors.Throw(IamErrors.EntityAlreadyExists, $"Role with name {roleName} already exists.");
        }

        return ToRole(record);
    }

    public async ValueTask<IamRole> GetRoleAsync(RequestContext context, string roleName, CancellationToken cancellationToken)
    {
        var role = await FindAsync(context, PrincipalKind.Role, roleName, cancellationToken);
        await AuthorizeAsync(context, "iam:GetRole", role.Arn, cancellationToken);
        return ToRole(role);
    }

    public async ValueTask<IamPage<IamRole>> ListRolesAsync(RequestContext context, string? marker, int? maxItems, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(context, "iam:ListRoles", $"arn:aws:iam::{context.AccountId}:role/", cancellationToken);
        var page = await PageAsync(context, PrincipalKind.Role, marker, maxItems, cancellationToken);
        return new IamPage<IamRole>(page.Items.Select(ToRole).ToList(), page.IsTruncated, page.Marker);
    }

    public async ValueTask DeleteRoleAsync(RequestContext context, string roleName, CancellationToken cancellationToken)
    {
        var role = await FindAsync(context, PrincipalKind.Role, roleName, cancellationToken);
        await AuthorizeAsync(context, "iam:DeleteRole", role.Arn, cancellationToken);
        if ((await Store.ListPrincipalPoliciesAsync(role.Arn, cancellationToken)).Count > 0)
        {
            IamErrors.Throw(IamErrors.DeleteConflict, "Cannot delete entity, must delete policies first.");
        }

        await Store.DeletePrincipalAsync(role.Arn, cancellationToken);
        policies.InvalidateIdentity(role.Arn);
    }

    private static IamRole ToRole(PrincipalRecord record) =>
        new(record.Path, record.Name, record.UniqueId, record.Arn, record.CreatedAt, record.TrustPolicy ?? "{}", record.MaxSessionSeconds);
}
