namespace Coffer.Core;

/// <summary>
/// What each key spec is, as AWS's key spec reference and the CreateKey documentation give it:
/// the usages it may be created with and, per usage, the algorithms it accepts. The one place
/// these pairings are written; CreateKey, DescribeKey, GetPublicKey and every cryptographic
/// operation read them here.
/// </summary>
public static class KeySpecRules
{
    private sealed record Profile(string[] Usages, string[] Signing, string[] Encryption, string[] Mac, string[] KeyAgreement);

    private static readonly string[] None = [];
    private static readonly string[] RsaSigning =
        ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"];
    private static readonly string[] RsaEncryption = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
    private static readonly string[] Ecdh = ["ECDH"];

    private static readonly Dictionary<string, Profile> Profiles = new(StringComparer.Ordinal)
    {
        [KeySpecs.SymmetricDefault] = new([KeyUsages.EncryptDecrypt], None, [Core.EncryptionAlgorithms.SymmetricDefault], None, None),
        [KeySpecs.Rsa2048] = new([KeyUsages.EncryptDecrypt, KeyUsages.SignVerify], RsaSigning, RsaEncryption, None, None),
        [KeySpecs.Rsa3072] = new([KeyUsages.EncryptDecrypt, KeyUsages.SignVerify], RsaSigning, RsaEncryption, None, None),
        [KeySpecs.Rsa4096] = new([KeyUsages.EncryptDecrypt, KeyUsages.SignVerify], RsaSigning, RsaEncryption, None, None),
        [KeySpecs.EccNistP256] = new([KeyUsages.SignVerify, KeyUsages.KeyAgreement], ["ECDSA_SHA_256"], None, None, Ecdh),
        [KeySpecs.EccNistP384] = new([KeyUsages.SignVerify, KeyUsages.KeyAgreement], ["ECDSA_SHA_384"], None, None, Ecdh),
        [KeySpecs.EccNistP521] = new([KeyUsages.SignVerify, KeyUsages.KeyAgreement], ["ECDSA_SHA_512"], None, None, Ecdh),
        [KeySpecs.EccSecgP256K1] = new([KeyUsages.SignVerify], ["ECDSA_SHA_256"], None, None, None),
        [KeySpecs.EccNistEdwards25519] = new([KeyUsages.SignVerify], ["ED25519_SHA_512", "ED25519_PH_SHA_512"], None, None, None),
        [KeySpecs.MlDsa44] = new([KeyUsages.SignVerify], ["ML_DSA_SHAKE_256"], None, None, None),
        [KeySpecs.MlDsa65] = new([KeyUsages.SignVerify], ["ML_DSA_SHAKE_256"], None, None, None),
        [KeySpecs.MlDsa87] = new([KeyUsages.SignVerify], ["ML_DSA_SHAKE_256"], None, None, None),
        [KeySpecs.Sm2] = new([KeyUsages.EncryptDecrypt, KeyUsages.SignVerify, KeyUsages.KeyAgreement], ["SM2DSA"], ["SM2PKE"], None, Ecdh),
        [KeySpecs.Hmac224] = new([KeyUsages.GenerateVerifyMac], None, None, ["HMAC_SHA_224"], None),
        [KeySpecs.Hmac256] = new([KeyUsages.GenerateVerifyMac], None, None, ["HMAC_SHA_256"], None),
        [KeySpecs.Hmac384] = new([KeyUsages.GenerateVerifyMac], None, None, ["HMAC_SHA_384"], None),
        [KeySpecs.Hmac512] = new([KeyUsages.GenerateVerifyMac], None, None, ["HMAC_SHA_512"], None),
    };

    public static bool IsKnown(string keySpec) => Profiles.ContainsKey(keySpec);

    /// <summary>The usages a key of this spec may be created with; the first is the default when CreateKey names none.</summary>
    public static IReadOnlyList<string> UsagesOf(string keySpec) => Profiles[keySpec].Usages;

    public static bool IsAsymmetric(string keySpec) => keySpec != KeySpecs.SymmetricDefault && !IsHmac(keySpec);

    public static bool IsHmac(string keySpec) => keySpec.StartsWith("HMAC_", StringComparison.Ordinal);

    /// <summary>The algorithms of each kind a key of this spec and usage accepts; empty for the kinds its usage excludes, as DescribeKey omits them.</summary>
    public static IReadOnlyList<string> SigningAlgorithms(KmsKey key) => key.KeyUsage == KeyUsages.SignVerify ? Profiles[key.KeySpec].Signing : None;

    public static IReadOnlyList<string> EncryptionAlgorithms(KmsKey key) => key.KeyUsage == KeyUsages.EncryptDecrypt ? Profiles[key.KeySpec].Encryption : None;

    public static IReadOnlyList<string> MacAlgorithms(KmsKey key) => key.KeyUsage == KeyUsages.GenerateVerifyMac ? Profiles[key.KeySpec].Mac : None;

    public static IReadOnlyList<string> KeyAgreementAlgorithms(KmsKey key) => key.KeyUsage == KeyUsages.KeyAgreement ? Profiles[key.KeySpec].KeyAgreement : None;

    /// <summary>
    /// The operations a grant on this key may allow, from AWS's grant-operations table: the
    /// operations its spec and usage support, and CreateGrant, DescribeKey and RetireGrant, which
    /// every key supports. A grant for anything else is refused with ValidationException.
    /// </summary>
    public static bool GrantMayAllow(KmsKey key, string operation) => operation is "CreateGrant" or "DescribeKey" or "RetireGrant" || (key.KeyUsage, operation) switch
    {
        (KeyUsages.EncryptDecrypt, "Encrypt" or "Decrypt" or "ReEncryptFrom" or "ReEncryptTo") => true,
        (KeyUsages.EncryptDecrypt, "GenerateDataKey" or "GenerateDataKeyWithoutPlaintext" or "GenerateDataKeyPair" or "GenerateDataKeyPairWithoutPlaintext") =>
            key.KeySpec == KeySpecs.SymmetricDefault,
        (KeyUsages.EncryptDecrypt or KeyUsages.SignVerify or KeyUsages.KeyAgreement, "GetPublicKey") => key.KeySpec != KeySpecs.SymmetricDefault,
        (KeyUsages.SignVerify, "Sign" or "Verify") => true,
        (KeyUsages.GenerateVerifyMac, "GenerateMac" or "VerifyMac") => true,
        (KeyUsages.KeyAgreement, "DeriveSharedSecret") => true,
        _ => false,
    };

    /// <summary>SM2 exists only in AWS's China Regions (names starting <c>cn-</c>); Coffer follows AWS.</summary>
    public static void EnsureAvailableIn(string keySpec, string region)
    {
        if (keySpec == KeySpecs.Sm2 && !region.StartsWith("cn-", StringComparison.Ordinal))
        {
            KmsErrors.Throw(ErrorCode.UnsupportedOperation, $"KeySpec SM2 is not supported in {region}. SM2 keys are available only in the China Regions.");
        }
    }

    /// <summary>Refuses an operation a key's usage does not allow, with AWS's InvalidKeyUsageException.</summary>
    public static void EnsureUsage(KmsKey key, string usage, string operation)
    {
        if (key.KeyUsage != usage)
        {
            KmsErrors.Throw(ErrorCode.InvalidKeyUsage, $"{key.Arn} key usage is {key.KeyUsage} which is not valid for {operation}.");
        }
    }

    /// <summary>Refuses an algorithm the key's spec does not pair with the operation's kind.</summary>
    public static void EnsureAlgorithm(KmsKey key, IReadOnlyList<string> allowed, string algorithm)
    {
        if (!allowed.Contains(algorithm))
        {
            KmsErrors.Throw(ErrorCode.InvalidKeyUsage, $"Algorithm {algorithm} is incompatible with key spec {key.KeySpec}.");
        }
    }
}
