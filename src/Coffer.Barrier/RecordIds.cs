namespace Coffer.Barrier;

/// <summary>
/// The ids the barrier binds into each secret record's AAD, so a record copied to another place
/// fails to decrypt. These strings are persisted in every record's tag: never change one.
/// </summary>
public static class RecordIds
{
    /// <summary>The audit signing key's private part.</summary>
    public const string AuditSigningKey = "audit-signing-key";

    /// <summary>One version of a KMS key's material: the key ARN and version are bound in.</summary>
    public static string KeyMaterial(string keyArn, int version) => $"key-material:{keyArn}:v{version}";

    /// <summary>The private half of the wrapping key GetParametersForImport gave out for a key.</summary>
    public static string ImportWrappingKey(string keyArn) => $"import-wrapping-key:{keyArn}";

    /// <summary>The secret of an access key, long-term or an STS session's.</summary>
    public static string AccessKeySecret(string accessKeyId) => $"access-key-secret:{accessKeyId}";
}
