namespace Coffer.Service.Keys;

/// <summary>Which forms of <c>KeyId</c> an operation accepts, as the KMS API reference lists them.</summary>
public enum KeyIdForms
{
    /// <summary>Key id or key ARN (key management operations).</summary>
    KeyOnly,

    /// <summary>Key id, key ARN, alias name or alias ARN (cryptographic operations, DescribeKey).</summary>
    KeyOrAlias,
}
