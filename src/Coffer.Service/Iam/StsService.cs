using System.Text.RegularExpressions;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Service.Authorization;
using Coffer.Service.Identity;
using Coffer.Storage;

namespace Coffer.Service.Iam;

/// <summary>
/// The STS subset: GetCallerIdentity and AssumeRole. AssumeRole is allowed when the role's trust
/// policy allows the caller directly (same account), or allows the caller's account and the
/// caller's IAM policies allow sts:AssumeRole on the role; an explicit Deny in either refuses.
/// </summary>
public sealed partial class StsService(ICofferStore store, KmsAuthorizer authorizer, TimeProvider clock, AccessKeyDirectory directory)
{
    public const int MinDurationSeconds = 900;

    public static CallerIdentity GetCallerIdentity(RequestContext context) => new(context.Caller.UserId, context.AccountId, context.Caller.Arn);

    public async ValueTask<AssumedRole> AssumeRoleAsync(RequestContext context, string roleArn, string sessionName, int? durationSeconds, CancellationToken cancellationToken)
    {
        if (!SessionNamePattern().IsMatch(sessionName))
        {
            IamErrors.Throw(IamErrors.Validation,
                $"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }

        var role = await FindRoleAsync(roleArn, cancellationToken);
        if (role is null || !await TrustAllowsAsync(context, role, cancellationToken))
        {
            // A missing role and a refusal look alike, as on AWS.
            IamErrors.Throw(IamErrors.AccessDenied, $"User: {context.Caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        }

        var duration = durationSeconds ?? 3600;
        if (duration < MinDurationSeconds)
        {
            IamErrors.Throw(IamErrors.Validation,
                $"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to {MinDurationSeconds}");
        }

        if (duration > role.MaxSessionSeconds)
        {
            IamErrors.Throw(IamErrors.Validation,
                $"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        var now = clock.GetUtcNow();
        var accessKeyId = IdentityIds.SessionAccessKeyId();
        var token = IdentityIds.SessionToken();
        var secretText = IdentityIds.SecretAccessKey();
        var secretBytes = System.Text.Encoding.UTF8.GetBytes(secretText);
        try
        {
            using var secret = SecretBytes.CopyOf(secretBytes);
            var session = new SessionRecord(accessKeyId, role.AccountId, role.Arn, role.UniqueId, sessionName, [], TokenHash.Of(token), now.AddSeconds(duration), now);
            await directory.AddSessionAsync(session, secret, cancellationToken);
        }
        finally
        {
            SecretBytes.Zero(secretBytes);
        }

        return new AssumedRole(accessKeyId, secretText, token, now.AddSeconds(duration), $"{role.UniqueId}:{sessionName}",
            IdentityIds.AssumedRoleArn(role.AccountId, role.Name, sessionName));
    }

    private async ValueTask<bool> TrustAllowsAsync(RequestContext context, PrincipalRecord role, CancellationToken cancellationToken)
    {
        PolicyDocument trust;
        try
        {
            trust = PolicyDocument.Parse(role.TrustPolicy ?? "", PolicyDocument.Kind.Resource);
        }
        catch (PolicyParseException)
        {
            return false;
        }

        var facts = await authorizer.RequestFactsAsync(context, "sts:AssumeRole", role.Arn, cancellationToken);
        var decision = PolicyEvaluator.EvaluateResource(trust, facts);
        if (decision.ExplicitDeny || (!decision.AllowsDirectly && !decision.AllowsAccount))
        {
            return false;
        }

        var identity = await authorizer.IdentityDecisionAsync(context, "sts:AssumeRole", role.Arn, cancellationToken);
        if (identity == IdentityDecision.ExplicitDeny)
        {
            return false;
        }

        // Within the account a trust policy naming the caller is enough; naming the account, or
        // any cross-account use, also needs the caller's own IAM allow.
        return (decision.AllowsDirectly && context.AccountId == role.AccountId) || identity == IdentityDecision.Allow;
    }

    private async ValueTask<PrincipalRecord?> FindRoleAsync(string roleArn, CancellationToken cancellationToken)
    {
        if (!Arns.TryParse(roleArn, out var arn) || arn.Service != "iam" || !arn.Resource.StartsWith("role/", StringComparison.Ordinal))
        {
            IamErrors.Throw(IamErrors.Validation, $"{roleArn} is invalid");
        }

        var name = arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..];
        var role = await store.FindPrincipalAsync(arn.AccountId, PrincipalKind.Role, name, cancellationToken);
        return role?.Arn == roleArn ? role : null;
    }

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();
}
