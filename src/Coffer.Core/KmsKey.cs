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

    /// <summary>Days between automatic rotations; null while automatic rotation is off.</summary>
    public int? RotationPeriodInDays { get; init; }

    /// <summary>When the rotation job next rotates the key; null while automatic rotation is off.</summary>
    public DateTimeOffset? NextRotationDate { get; init; }

    /// <summary>How many times RotateKeyOnDemand has rotated the key, against AWS's limit per key.</summary>
    public int OnDemandRotations { get; init; }

    /// <summary>For a key with imported material: whether it expires (<see cref="ExpirationModels"/>); null while no material is imported.</summary>
    public string? ExpirationModel { get; init; }

    /// <summary>When imported material expires and is deleted; null when it does not.</summary>
    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>
    /// The id of the material imported into an EXTERNAL key. It stays after the material is deleted,
    /// so that importing again can be checked to bring the same material.
    /// </summary>
    public string? ImportedMaterialId { get; init; }

    public string Arn => Arns.Key(Region, AccountId, KeyId);
}

public static class KeySpecs
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";
    public const string Rsa2048 = "RSA_2048";
    public const string Rsa3072 = "RSA_3072";
    public const string Rsa4096 = "RSA_4096";
    public const string EccNistP256 = "ECC_NIST_P256";
    public const string EccNistP384 = "ECC_NIST_P384";
    public const string EccNistP521 = "ECC_NIST_P521";
    public const string EccSecgP256K1 = "ECC_SECG_P256K1";
    public const string EccNistEdwards25519 = "ECC_NIST_EDWARDS25519";
    public const string Hmac224 = "HMAC_224";
    public const string Hmac256 = "HMAC_256";
    public const string Hmac384 = "HMAC_384";
    public const string Hmac512 = "HMAC_512";
    public const string Sm2 = "SM2";
    public const string MlDsa44 = "ML_DSA_44";
    public const string MlDsa65 = "ML_DSA_65";
    public const string MlDsa87 = "ML_DSA_87";
}

public static class KeyUsages
{
    public const string EncryptDecrypt = "ENCRYPT_DECRYPT";
    public const string SignVerify = "SIGN_VERIFY";
    public const string GenerateVerifyMac = "GENERATE_VERIFY_MAC";
    public const string KeyAgreement = "KEY_AGREEMENT";
}

/// <summary>How a key material version after the first was made, in AWS's words (ListKeyRotations' RotationType).</summary>
public static class RotationTypes
{
    public const string Automatic = "AUTOMATIC";
    public const string OnDemand = "ON_DEMAND";
}

public static class KeyOrigins
{
    public const string AwsKms = "AWS_KMS";
    public const string External = "EXTERNAL";
}

public static class ExpirationModels
{
    public const string Expires = "KEY_MATERIAL_EXPIRES";
    public const string DoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE";
}

public static class EncryptionAlgorithms
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";
}
