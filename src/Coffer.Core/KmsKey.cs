namespace Coffer.Core;

/// <summary>
/// The metadata of one KMS key as stored. Immutable: a state change produces a new instance
/// through <c>with</c>, so a cached copy can never be changed under a reader.
/// </summary>
public sealed record KmsKey
{
    public required string KeyId { get; init; }
    public required string AccountId { get; init; }
    public required string Region { get; init; }
    public required DateTimeOffset CreationDate { get; init; }
    public string Description { get; init; } = "";
    public required KeyState State { get; init; }
    public DateTimeOffset? DeletionDate { get; init; }
    public int? PendingWindowInDays { get; init; }
    public string KeySpec { get; init; } = KeySpecs.SymmetricDefault;
    public string KeyUsage { get; init; } = KeyUsages.EncryptDecrypt;
    public string Origin { get; init; } = KeyOrigins.AwsKms;
    public string KeyManager { get; init; } = "CUSTOMER";

    /// <summary>The key material version new ciphertexts use; older versions still decrypt.</summary>
    public int CurrentMaterialVersion { get; init; } = 1;

    public string Arn => Arns.Key(Region, AccountId, KeyId);
}

public static class KeySpecs
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";
}

public static class KeyUsages
{
    public const string EncryptDecrypt = "ENCRYPT_DECRYPT";
}

public static class KeyOrigins
{
    public const string AwsKms = "AWS_KMS";
}

public static class EncryptionAlgorithms
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";
}
