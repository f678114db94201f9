namespace Coffer.Core;

/// <summary>Builds and takes apart the ARNs of KMS resources.</summary>
public static class Arns
{
    public const string Partition = "aws";
    public const string AliasPrefix = "alias/";

    public static string Key(string region, string accountId, string keyId) =>
        $"arn:{Partition}:kms:{region}:{accountId}:key/{keyId}";

    public static string Alias(string region, string accountId, string aliasName) =>
        $"arn:{Partition}:kms:{region}:{accountId}:{aliasName}";

    /// <summary>
    /// Splits <c>arn:partition:service:region:account:resource</c>. Returns false for anything
    /// that is not an ARN of that shape.
    /// </summary>
    public static bool TryParse(string value, out ParsedArn arn)
    {
        arn = default;
        if (!value.StartsWith("arn:", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = value.Split(':', 6);
        if (parts.Length != 6)
        {
            return false;
        }

        arn = new ParsedArn(parts[1], parts[2], parts[3], parts[4], parts[5]);
        return true;
    }
}

/// <summary>The parts of an ARN.</summary>
public readonly record struct ParsedArn(string Partition, string Service, string Region, string AccountId, string Resource);
