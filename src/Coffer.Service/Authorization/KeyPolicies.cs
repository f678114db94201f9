using Coffer.Core;
using Coffer.Policy;

namespace Coffer.Service.Authorization;

/// <summary>AWS's default key policy and the checks every new key policy passes.</summary>
public static class KeyPolicies
{
    public const string DefaultName = "default";

    /// <summary>AWS's limit on a key policy's size, in bytes.</summary>
    public const int MaxBytes = 32 * 1024;

    /// <summary>The policy CreateKey attaches when none is given: the account (and so IAM policies) decides.</summary>
    public static string Default(string accountId) =>
        $$"""
        {
          "Version" : "2012-10-17",
          "Id" : "key-default-1",
          "Statement" : [ {
            "Sid" : "Enable IAM User Permissions",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : "arn:aws:iam::{{accountId}}:root"
            },
            "Action" : "kms:*",
            "Resource" : "*"
          } ]
        }
        """;

    /// <summary>
    /// Parses a key policy a caller sent and, unless bypassed, checks that it still lets the caller
    /// change the key policy later (AWS's policy lockout safety check).
    /// </summary>
    public static async ValueTask<PolicyDocument> ValidateAsync(KmsAuthorizer authorizer, RequestContext context, string policy, string keyArn, bool bypassLockoutCheck, CancellationToken cancellationToken)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(policy) > MaxBytes)
        {
            KmsErrors.Throw(KmsErrors.LimitExceeded, $"The key policy exceeds the maximum size of {MaxBytes} bytes.");
        }

        PolicyDocument document;
        try
        {
            document = PolicyDocument.Parse(policy, PolicyDocument.Kind.Resource);
        }
        catch (PolicyParseException error)
        {
            throw new KmsException(KmsErrors.MalformedPolicyDocument, error.Message);
        }

        if (!bypassLockoutCheck && !await authorizer.PolicyWouldAllowAsync(context, document, "kms:PutKeyPolicy", keyArn, cancellationToken))
        {
            KmsErrors.Throw(KmsErrors.MalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future.");
        }

        return document;
    }
}
