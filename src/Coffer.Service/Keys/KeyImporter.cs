using Coffer.Barrier;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Crypto.Asymmetric;
using Coffer.Crypto.Import;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Bring-your-own-key, as AWS defines it: GetParametersForImport hands out a wrapping public key and
/// an import token valid for 24 hours; ImportKeyMaterial unwraps the caller's material with the
/// private half, checks it fits the key spec (and is the material imported before, on a re-import),
/// and stores it under the barrier like generated material; DeleteImportedKeyMaterial and expiry
/// destroy it again, leaving the key in PendingImport.
/// </summary>
public sealed class KeyImporter(ICofferStore store, KeyMaterialVault vault, TimeProvider clock)
{
    public static readonly TimeSpan ParametersLifetime = TimeSpan.FromHours(24);

    /// <summary>AWS's furthest ValidTo: a year from the import.</summary>
    public static readonly TimeSpan LongestValidity = TimeSpan.FromDays(365);

    private const int ImportTokenBytes = 64;
    private const string InvalidToken = "The import token is invalid or is associated with a different KMS key.";

    public TimeProvider Clock => clock;

    /// <summary>
    /// The key specs whose material can be imported: symmetric, HMAC, RSA, the NIST and SECG curves
    /// and SM2, as AWS's import documentation lists them. ML-DSA and Ed25519 keys are generated only.
    /// </summary>
    public static bool AcceptsImportFor(string keySpec) => keySpec is not (KeySpecs.MlDsa44 or KeySpecs.MlDsa65 or KeySpecs.MlDsa87 or KeySpecs.EccNistEdwards25519);

    /// <summary>AWS's refusal of an import operation on a key whose material KMS made.</summary>
    public static void EnsureExternal(KmsKey key)
    {
        if (key.Origin != KeyOrigins.External)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, $"{key.Arn} origin is {key.Origin} which is not valid for this operation.");
        }
    }

    /// <summary>A new wrapping key pair and token for <paramref name="key"/>, replacing any it had.</summary>
    public async ValueTask<(byte[] PublicKey, byte[] ImportToken, DateTimeOffset ValidTo)> CreateParametersAsync(KmsKey key, string wrappingAlgorithm, string wrappingKeySpec,
        CancellationToken cancellationToken)
    {
        // The shared generator makes one key pair at a time, so a flood of RSA_4096 wrapping keys cannot take every core.
        using var privateKey = await vault.Generator.GenerateAsync(wrappingKeySpec, cancellationToken);
        var token = RandomSource.Bytes(ImportTokenBytes);
        var validTo = clock.GetUtcNow() + ParametersLifetime;
        var sealedKey = vault.Keyring.Barrier.Encrypt(RecordIds.ImportWrappingKey(key.Arn), privateKey.Span);
        await store.PutImportParametersAsync(new ImportParameters(key.KeyId, TokenHash.Of(token), wrappingAlgorithm, wrappingKeySpec, sealedKey, validTo), cancellationToken);
        return (KeyMaterial.PublicKey(wrappingKeySpec, privateKey), token, validTo);
    }

    /// <summary>
    /// Unwraps and stores material for <paramref name="key"/>, with AWS's errors for a token that is
    /// wrong or expired, wrapping that does not open, and material that does not fit or differs from
    /// what was imported before. Returns the key as stored.
    /// </summary>
    public async ValueTask<KmsKey> ImportAsync(KmsKey key, byte[] importToken, byte[] encryptedMaterial, string expirationModel, DateTimeOffset? validTo,
        CancellationToken cancellationToken)
    {
        var parameters = await store.FindImportParametersAsync(key.KeyId, cancellationToken);
        if (parameters is null || !TokenHash.Matches(importToken, parameters.TokenHash))
        {
            KmsErrors.Throw(ErrorCode.InvalidImportToken, InvalidToken);
        }

        if (parameters.ValidTo <= clock.GetUtcNow())
        {
            KmsErrors.Throw(ErrorCode.ExpiredImportToken, "The import token has expired. Call GetParametersForImport for a new one.");
        }

        using var material = Unwrap(key, parameters, encryptedMaterial);
        if (!ImportedMaterial.IsValidFor(key.KeySpec, material.Span))
        {
            KmsErrors.Throw(ErrorCode.IncorrectKeyMaterial, $"The key material is not valid for a KMS key with key spec {key.KeySpec}.");
        }

        var materialId = MaterialIdOf(key, material);
        if (key.ImportedMaterialId is { } earlier && earlier != materialId)
        {
            KmsErrors.Throw(ErrorCode.IncorrectKeyMaterial, "The key material is not the key material that was previously imported into this KMS key.");
        }

        var imported = key with
        {
            State = key.State == KeyState.PendingImport ? KeyState.Enabled : key.State,
            ExpirationModel = expirationModel,
            ValidTo = validTo,
            ImportedMaterialId = materialId,
        };
        var stored = new StoredMaterial(key.KeyId, key.CurrentMaterialVersion,
            vault.Keyring.Barrier.Encrypt(RecordIds.KeyMaterial(key.Arn, key.CurrentMaterialVersion), material.Span), clock.GetUtcNow());
        await store.PutImportedMaterialAsync(imported, stored, cancellationToken);
        return imported;
    }

    /// <summary>Destroys the key's material (the caller records why first); the key waits for an import again unless it is pending deletion.</summary>
    public async ValueTask<KmsKey> DeleteMaterialAsync(KmsKey key, CancellationToken cancellationToken)
    {
        var emptied = key with
        {
            State = key.State == KeyState.PendingDeletion ? key.State : KeyState.PendingImport,
            ExpirationModel = null,
            ValidTo = null,
        };
        await store.DeleteImportedMaterialAsync(emptied, cancellationToken);
        vault.Forget(key.KeyId);
        return emptied;
    }

    private SecretBytes Unwrap(KmsKey key, ImportParameters parameters, byte[] encryptedMaterial)
    {
        // A row sealed for another key (copied) does not open: the token cannot be this key's.
        using var wrappingKey = vault.Keyring.Barrier.TryDecrypt(RecordIds.ImportWrappingKey(key.Arn), parameters.SealedPrivateKey)
            ?? throw new KmsException(ErrorCode.InvalidImportToken, InvalidToken);
        return ImportWrapping.Unwrap(parameters.WrappingAlgorithm, parameters.WrappingKeySpec, wrappingKey, encryptedMaterial)
            ?? throw new KmsException(ErrorCode.InvalidCiphertext, "The encrypted key material could not be decrypted with the import parameters of this KMS key.");
    }

    /// <summary>
    /// For a key pair the id is over the public key, so the same private key imported again in
    /// another PKCS#8 encoding is still recognised as the same material.
    /// </summary>
    private static string MaterialIdOf(KmsKey key, SecretBytes material) => KeySpecRules.IsAsymmetric(key.KeySpec)
        ? ImportedMaterialId.Of(key.KeyId, KeyMaterial.PublicKey(key.KeySpec, material))
        : ImportedMaterialId.Of(key.KeyId, material.Span);
}
