namespace Coffer.Core;

/// <summary>What a caller's <c>KeyId</c> parameter names.</summary>
public enum KeyReferenceKind
{
    KeyId,
    KeyArn,
    AliasName,
    AliasArn,
}

/// <summary>
/// A parsed <c>KeyId</c> parameter: a key id, key ARN, alias name or alias ARN. Parsing is
/// purely syntactic; whether the key exists is the service's question.
/// </summary>
public readonly record struct KeyReference(KeyReferenceKind Kind, string Raw, string? Region, string? AccountId, string Name)
{
    public bool IsAlias => Kind is KeyReferenceKind.AliasName or KeyReferenceKind.AliasArn;

    /// <summary>Returns false when <paramref name="raw"/> is an ARN that is not a KMS key or alias ARN.</summary>
    public static bool TryParse(string raw, out KeyReference reference)
    {
        if (raw.StartsWith("arn:", StringComparison.Ordinal))
        {
            reference = default;
            if (!Arns.TryParse(raw, out var arn) || arn.Service != "kms")
            {
                return false;
            }

            if (arn.Resource.StartsWith("key/", StringComparison.Ordinal))
            {
                reference = new KeyReference(KeyReferenceKind.KeyArn, raw, arn.Region, arn.AccountId, arn.Resource["key/".Length..]);
                return true;
            }

            if (arn.Resource.StartsWith(Arns.AliasPrefix, StringComparison.Ordinal))
            {
                reference = new KeyReference(KeyReferenceKind.AliasArn, raw, arn.Region, arn.AccountId, arn.Resource);
                return true;
            }

            return false;
        }

        reference = raw.StartsWith(Arns.AliasPrefix, StringComparison.Ordinal)
            ? new KeyReference(KeyReferenceKind.AliasName, raw, null, null, raw)
            : new KeyReference(KeyReferenceKind.KeyId, raw, null, null, raw);
        return true;
    }
}
