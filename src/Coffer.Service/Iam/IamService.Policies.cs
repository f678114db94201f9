using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Iam;

/// <summary>Inline policies of users and roles.</summary>
public sealed partial class IamService
{
    /// <summary>IAM's limit on the inline policies of one user, in characters (roles allow 10,240).</summary>
    public const int MaxUserPolicyCharacters = 2048 * 5;

    public async ValueTask PutPrincipalPolicyAsync(RequestContext context, PrincipalKind kind, string name, string policyName, string document, CancellationToken cancellationToken)
    {
        var principal = await FindAsync(context, kind, name, cancellationToken);
        await AuthorizeAsync(context, kind == PrincipalKind.User ? "iam:PutUserPolicy" : "iam:PutRolePolicy", principal.Arn, cancellationToken);
        ValidateName(policyName, "policyName");
        ParsePolicy(document, PolicyDocument.Kind.Identity);
        var others = (await Store.ListPrincipalPoliciesAsync(principal.Arn, cancellationToken)).Where(p => p.Name != policyName).Sum(p => p.Document.Length);
        if (others + document.Length > MaxUserPolicyCharacters)
        {
            IamErrors.Throw(IamErrors.LimitExceeded, $"Maximum policy size of {MaxUserPolicyCharacters} bytes exceeded for {(kind == PrincipalKind.User ? "user" : "role")} {name}");
        }

        await Store.PutPrincipalPolicyAsync(new PrincipalPolicy(principal.Arn, policyName, document), cancellationToken);
        policies.InvalidateIdentity(principal.Arn);
    }

    public async ValueTask<string> GetPrincipalPolicyAsync(RequestContext context, PrincipalKind kind, string name, string policyName, CancellationToken cancellationToken)
    {
        var principal = await FindAsync(context, kind, name, cancellationToken);
        await AuthorizeAsync(context, kind == PrincipalKind.User ? "iam:GetUserPolicy" : "iam:GetRolePolicy", principal.Arn, cancellationToken);
        var policy = (await Store.ListPrincipalPoliciesAsync(principal.Arn, cancellationToken)).FirstOrDefault(p => p.Name == policyName);
        return policy?.Document
            ?? throw new Core.KmsException(IamErrors.NoSuchEntity, $"The {(kind == PrincipalKind.User ? "user" : "role")} policy with name {policyName} cannot be found.");
    }

    public async ValueTask<IReadOnlyList<string>> ListPrincipalPoliciesAsync(RequestContext context, PrincipalKind kind, string name, CancellationToken cancellationToken)
    {
        var principal = await FindAsync(context, kind, name, cancellationToken);
        await AuthorizeAsync(context, kind == PrincipalKind.User ? "iam:ListUserPolicies" : "iam:ListRolePolicies", principal.Arn, cancellationToken);
        return (await Store.ListPrincipalPoliciesAsync(principal.Arn, cancellationToken)).Select(p => p.Name).ToList();
    }

    public async ValueTask DeletePrincipalPolicyAsync(RequestContext context, PrincipalKind kind, string name, string policyName, CancellationToken cancellationToken)
    {
        var principal = await FindAsync(context, kind, name, cancellationToken);
        await AuthorizeAsync(context, kind == PrincipalKind.User ? "iam:DeleteUserPolicy" : "iam:DeleteRolePolicy", principal.Arn, cancellationToken);
        if (!await Store.DeletePrincipalPolicyAsync(principal.Arn, policyName, cancellationToken))
        {
            IamErrors.Throw(IamErrors.NoSuchEntity, $"The {(kind == PrincipalKind.User ? "user" : "role")} policy with name {policyName} cannot be found.");
        }

        policies.InvalidateIdentity(principal.Arn);
    }

    private static PolicyDocument ParsePolicy(string document, PolicyDocument.Kind kind)
    {
        try
        {
            return PolicyDocument.Parse(document, kind);
        }
        catch (PolicyParseException error)
        {
            throw new Core.KmsException(IamErrors.MalformedPolicyDocument, error.Message);
        }
    }
}
