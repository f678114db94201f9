using System.Text.RegularExpressions;
using Coffer.Core;
using Coffer.Policy;
using Coffer.Service.Authorization;
using Coffer.Service.Identity;
using Coffer.Storage;

namespace Coffer.Service.Iam;

/// <summary>
/// The IAM subset Coffer serves: users, roles, inline policies, access keys. Every call is
/// authorized by the caller's IAM policies (IAM has no resource policies). Changes take effect
/// at once on this node and within a second on others. Wire-agnostic: the Query protocol maps
/// onto these methods.
/// </summary>
public sealed partial class IamService(ICofferStore store, KmsAuthorizer authorizer, PolicyCache policies, TimeProvider clock, AccessKeyDirectory directory)
{
    public const int MaxAccessKeysPerUser = 2;
    private ICofferStore Store => store;

    // ---- users

    public async ValueTask<IamUser> CreateUserAsync(RequestContext context, string userName, string? path, IReadOnlyList<KmsTag> tags, CancellationToken cancellationToken)
    {
        ValidateName(userName, "userName");
        ValidateTags(tags);
        var normalizedPath = NormalizePath(path);
        var arn = IdentityIds.UserArn(context.AccountId, userName, normalizedPath);
        await AuthorizeAsync(context, "iam:CreateUser", arn, cancellationToken);
        var record = new PrincipalRecord(arn, context.AccountId, PrincipalKind.User, userName, IdentityIds.UserId(), normalizedPath, clock.GetUtcNow());
        if (!await Store.TryInsertPrincipalAsync(record, cancellationToken))
        {
            IamErrors.Throw(IamErrors.EntityAlreadyExists, $"User with name {userName} already exists.");
        }

        if (tags.Count > 0)
        {
            await Store.ReplacePrincipalTagsAsync(arn, tags, cancellationToken);
        }

        return ToUser(record, tags);
    }

    public async ValueTask<IamUser> GetUserAsync(RequestContext context, string? userName, CancellationToken cancellationToken)
    {
        var user = await UserOrCallerAsync(context, userName, cancellationToken);
        await AuthorizeAsync(context, "iam:GetUser", user.Arn, cancellationToken);
        return ToUser(user, await Store.GetPrincipalTagsAsync(user.Arn, cancellationToken));
    }

    public async ValueTask<IamPage<IamUser>> ListUsersAsync(RequestContext context, string? marker, int? maxItems, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(context, "iam:ListUsers", $"arn:aws:iam::{context.AccountId}:user/", cancellationToken);
        var page = await PageAsync(context, PrincipalKind.User, marker, maxItems, cancellationToken);
        var users = new List<IamUser>();
        foreach (var record in page.Items)
        {
            users.Add(ToUser(record, []));
        }

        return new IamPage<IamUser>(users, page.IsTruncated, page.Marker);
    }

    public async ValueTask DeleteUserAsync(RequestContext context, string userName, CancellationToken cancellationToken)
    {
        var user = await FindAsync(context, PrincipalKind.User, userName, cancellationToken);
        await AuthorizeAsync(context, "iam:DeleteUser", user.Arn, cancellationToken);
        if ((await Store.ListAccessKeysAsync(user.Arn, cancellationToken)).Count > 0)
        {
            IamErrors.Throw(IamErrors.DeleteConflict, "Cannot delete entity, must delete access keys first.");
        }

        if ((await Store.ListPrincipalPoliciesAsync(user.Arn, cancellationToken)).Count > 0)
        {
            IamErrors.Throw(IamErrors.DeleteConflict, "Cannot delete entity, must delete policies first.");
        }

        await Store.DeletePrincipalAsync(user.Arn, cancellationToken);
        policies.InvalidateIdentity(user.Arn);
    }

    public async ValueTask TagUserAsync(RequestContext context, string userName, IReadOnlyList<KmsTag> tags, CancellationToken cancellationToken)
    {
        ValidateTags(tags);
        var user = await FindAsync(context, PrincipalKind.User, userName, cancellationToken);
        await AuthorizeAsync(context, "iam:TagUser", user.Arn, cancellationToken);
        var merged = (await Store.GetPrincipalTagsAsync(user.Arn, cancellationToken)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            merged[tag.Key] = tag.Value;
        }

        if (merged.Count > 50)
        {
            IamErrors.Throw(IamErrors.LimitExceeded, "Cannot exceed quota for TagsPerUser: 50");
        }

        await Store.ReplacePrincipalTagsAsync(user.Arn, merged.Select(p => new KmsTag(p.Key, p.Value)).ToList(), cancellationToken);
        policies.InvalidateIdentity(user.Arn);
    }

    // ---- access keys

    public async ValueTask<IamAccessKey> CreateAccessKeyAsync(RequestContext context, string? userName, CancellationToken cancellationToken)
    {
        var user = await UserOrCallerAsync(context, userName, cancellationToken);
        await AuthorizeAsync(context, "iam:CreateAccessKey", user.Arn, cancellationToken);
        if ((await Store.ListAccessKeysAsync(user.Arn, cancellationToken)).Count >= MaxAccessKeysPerUser)
        {
            IamErrors.Throw(IamErrors.LimitExceeded, $"Cannot exceed quota for AccessKeysPerUser: {MaxAccessKeysPerUser}");
        }

        var secretText = IdentityIds.SecretAccessKey();
        var secretBytes = System.Text.Encoding.UTF8.GetBytes(secretText);
        try
        {
            using var secret = Crypto.SecretBytes.CopyOf(secretBytes);
            var record = await directory.AddAsync(context.AccountId, user.Arn, user.Name, IdentityIds.AccessKeyId(), secret, cancellationToken);
            return new IamAccessKey(user.Name, record.AccessKeyId, "Active", record.CreatedAt, secretText);
        }
        finally
        {
            Crypto.SecretBytes.Zero(secretBytes);
        }
    }

    public async ValueTask<IReadOnlyList<IamAccessKey>> ListAccessKeysAsync(RequestContext context, string? userName, CancellationToken cancellationToken)
    {
        var user = await UserOrCallerAsync(context, userName, cancellationToken);
        await AuthorizeAsync(context, "iam:ListAccessKeys", user.Arn, cancellationToken);
        return (await Store.ListAccessKeysAsync(user.Arn, cancellationToken))
            .Select(k => new IamAccessKey(user.Name, k.AccessKeyId, k.Status.ToString(), k.CreatedAt)).ToList();
    }

    public async ValueTask UpdateAccessKeyAsync(RequestContext context, string? userName, string accessKeyId, string status, CancellationToken cancellationToken)
    {
        var (user, key) = await AccessKeyOfAsync(context, userName, accessKeyId, cancellationToken);
        await AuthorizeAsync(context, "iam:UpdateAccessKey", user.Arn, cancellationToken);
        var newStatus = status switch
        {
            "Active" => AccessKeyStatus.Active,
            "Inactive" => AccessKeyStatus.Inactive,
            _ => throw new KmsException(IamErrors.Validation, $"1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
        };
        await Store.UpsertAccessKeyAsync(key with { Status = newStatus }, cancellationToken);
        directory.Invalidate(accessKeyId);
    }

    public async ValueTask DeleteAccessKeyAsync(RequestContext context, string? userName, string accessKeyId, CancellationToken cancellationToken)
    {
        var (user, _) = await AccessKeyOfAsync(context, userName, accessKeyId, cancellationToken);
        await AuthorizeAsync(context, "iam:DeleteAccessKey", user.Arn, cancellationToken);
        await Store.DeleteAccessKeyAsync(accessKeyId, cancellationToken);
        directory.Invalidate(accessKeyId);
    }

    // ---- helpers shared by users and roles

    private async ValueTask AuthorizeAsync(RequestContext context, string action, string resource, CancellationToken cancellationToken)
    {
        try
        {
            await authorizer.AuthorizeIdentityOnlyAsync(context, action, resource, cancellationToken);
        }
        catch (KmsException denied) when (denied.Code == KmsErrors.AccessDenied)
        {
            throw new KmsException(IamErrors.AccessDenied, denied.Message);
        }
    }

    private async ValueTask<PrincipalRecord> FindAsync(RequestContext context, PrincipalKind kind, string name, CancellationToken cancellationToken)
    {
        ValidateName(name, kind == PrincipalKind.User ? "userName" : "roleName");
        return await Store.FindPrincipalAsync(context.AccountId, kind, name, cancellationToken)
            ?? throw new KmsException(IamErrors.NoSuchEntity, $"The {(kind == PrincipalKind.User ? "user" : "role")} with name {name} cannot be found.");
    }

    private async ValueTask<PrincipalRecord> UserOrCallerAsync(RequestContext context, string? userName, CancellationToken cancellationToken)
    {
        if (userName is not null)
        {
            return await FindAsync(context, PrincipalKind.User, userName, cancellationToken);
        }

        if (context.Caller.Kind != CallerKind.User || context.Caller.UserName is null)
        {
            IamErrors.Throw(IamErrors.Validation, "Must specify userName when calling with non-User credentials");
        }

        return await FindAsync(context, PrincipalKind.User, context.Caller.UserName, cancellationToken);
    }

    private async ValueTask<(PrincipalRecord User, AccessKeyRecord Key)> AccessKeyOfAsync(RequestContext context, string? userName, string accessKeyId, CancellationToken cancellationToken)
    {
        var user = await UserOrCallerAsync(context, userName, cancellationToken);
        var key = await Store.FindAccessKeyAsync(accessKeyId, cancellationToken);
        if (key is null || key.PrincipalArn != user.Arn)
        {
            IamErrors.Throw(IamErrors.NoSuchEntity, $"The Access Key with id {accessKeyId} cannot be found.");
        }

        return (user, key);
    }

    private async ValueTask<IamPage<PrincipalRecord>> PageAsync(RequestContext context, PrincipalKind kind, string? marker, int? maxItems, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(maxItems ?? 100, 1, 1000);
        var fetched = await Store.ListPrincipalsAsync(context.AccountId, kind, marker, limit + 1, cancellationToken);
        var (items, truncated, next) = Paging.Page(fetched, limit, p => p, p => p.Name);
        return new IamPage<PrincipalRecord>(items, truncated, next);
    }

    private static IamUser ToUser(PrincipalRecord record, IReadOnlyList<KmsTag> tags) =>
        new(record.Path, record.Name, record.UniqueId, record.Arn, record.CreatedAt, tags);

    /// <summary>
    /// IAM's tag rules. They matter beyond tidiness: a principal tag's value is substituted into
    /// policies as <c>${aws:PrincipalTag/…}</c>, and AWS's character set keeps wildcards and
    /// variable syntax (<c>* ? $ { }</c>) out of it, so a tag cannot widen the policy it feeds.
    /// </summary>
    private static void ValidateTags(IReadOnlyList<KmsTag> tags)
    {
        if (tags.Count > 50)
        {
            IamErrors.Throw(IamErrors.LimitExceeded, "Cannot exceed quota for TagsPerUser: 50");
        }

        if (tags.Select(t => t.Key).Distinct(StringComparer.Ordinal).Count() != tags.Count)
        {
            IamErrors.Throw(IamErrors.Validation, "Duplicate tag keys found. Please remove the duplicate tag keys and try again.");
        }

        for (var i = 0; i < tags.Count; i++)
        {
            if (tags[i].Key.Length is < 1 or > 128 || !TagKeyPattern().IsMatch(tags[i].Key))
            {
                IamErrors.Throw(IamErrors.Validation,
                    $"1 validation error detected: Value '{tags[i].Key}' at 'tags.{i + 1}.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]+");
            }

            if (tags[i].Value.Length > 256 || !TagValuePattern().IsMatch(tags[i].Value))
            {
                IamErrors.Throw(IamErrors.Validation,
                    $"1 validation error detected: Value '{tags[i].Value}' at 'tags.{i + 1}.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*");
            }
        }
    }

    private static void ValidateName(string name, string member)
    {
        if (!NamePattern().IsMatch(name))
        {
            IamErrors.Throw(IamErrors.Validation, $"1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
        }
    }

    private static string NormalizePath(string? path)
    {
        if (path is null)
        {
            return "/";
        }

        if (!path.StartsWith('/') || !path.EndsWith('/') || path.Length > 512)
        {
            IamErrors.Throw(IamErrors.Validation, "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.");
        }

        return path;
    }

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$")]
    private static partial Regex TagKeyPattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex TagValuePattern();

    [GeneratedRegex(@"^[\w+=,.@-]{1,64}$")]
    private static partial Regex NamePattern();
}
