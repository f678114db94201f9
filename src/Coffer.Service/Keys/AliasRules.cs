using Coffer.Core;

namespace Coffer.Service.Keys;

/// <summary>The alias-name rules the service applies after the model's pattern and length.</summary>
public static class AliasRules
{
    public const string ReservedPrefix = "alias/aws/";
    public const int MaxAliasesPerKey = 50;

    public static void ValidateName(string aliasName, bool creating)
    {
        if (!aliasName.StartsWith(Arns.AliasPrefix, StringComparison.Ordinal))
        {
            KmsErrors.ValidationFailed("Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
        }

        if (aliasName.Contains(':', StringComparison.Ordinal))
        {
            KmsErrors.ValidationFailed($"{aliasName} contains invalid characters for an alias");
        }

        if (aliasName.Length == Arns.AliasPrefix.Length)
        {
            KmsErrors.Throw(KmsErrors.InvalidAliasName, "Alias name must have at least one character after the prefix \"alias/\".");
        }

        if (creating && aliasName.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            KmsErrors.Throw(KmsErrors.InvalidAliasName,
                "Alias names cannot begin with alias/aws/. The alias/aws/ prefix is reserved for Amazon Web Services managed keys.");
        }
    }
}
