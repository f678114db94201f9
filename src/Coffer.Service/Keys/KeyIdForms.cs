namespace Coffer.Service.Keys;

/// <summary>Which forms of <c>KeyId</c> an operation accepts, as the KMS API reference lists them.</summary>
public enum KeyIdForms
{
    /// <summary>Key id or key ARN (key management operations).</summary>
    KeyOnly,

    /// <summary>Key id, key ARN, alias name or alias ARN (cryptographic operations, DescribeKey).</summary>
    KeyOrAlias,
}

/// <summary>
/// Whether an operation reaches keys in other accounts: the API reference's "Cross-account use"
/// line. Where it says No, another account's key is as invisible as a key that does not exist,
/// whatever its key policy allows.
/// </summary>
public enum CrossAccountUse
{
    No,
    Yes,
}
