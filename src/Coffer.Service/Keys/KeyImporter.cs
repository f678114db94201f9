using Coffer.Barrier;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Crypto.Asymmetric;
using Coffer.Crypto.Import;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>What ImportKeyMaterial asks for, with AWS's default expiration model applied.</summary>
public sealed record MaterialImport(byte[] ImportToken, byte[] EncryptedMaterial, string ExpirationModel, DateTimeOffset? ValidTo, string? ImportType,
    string? Description, string? KeyMaterialId);

/// <summary>
/// Bring-your-own-key, as AWS defines it: GetParametersForImport hands out a wrapping public key and
/// an import token valid for 24 hours; ImportKeyMaterial unwraps the caller's material with the
/// private half, checks it fits the key spec (and is the material imported before, on a re-import),
/// and stores it under the barrier like generated material, one material version each;
/// DeleteImportedKeyMaterial and expiry destroy a version's material again (the current one's
/// leaves the key in PendingImport).
/// </summary>
public sealed class KeyImporter(ICofferStore store, KeyMaterialVault vault, TimeProvider clock)
{
    public static readonly TimeSpan ParametersLifetime = TimeSpan.FromHours(24);

    /// <summary>AWS's furthest ValidTo: a year from the import.</summary>
    public static readonly TimeSpan LongestValidity = TimeSpan.FromDays(365);

    private const int ImportTokenBytes = 64;
    private const string InvalidToken = "The import token is invalid or is associated with a different KMS key.";
    private const string NewMaterial = "NEW_KEY_MATERIAL";
    private const string ExistingMaterial = "EXISTING_KEY_MATERIAL";
    private const int MaxVersionsListed = KeyRotation.OnDemandLimit + 2;

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
    /// wrong or expired, wrapping that does not open, and material that does not fit. The first
    /// material, or the same material again (EXISTING_KEY_MATERIAL), goes into its version and
    /// enables the key if it is the current one; new material for a symmetric key
    /// (NEW_KEY_MATERIAL) waits as the next version until RotateKeyOnDemand makes it current.
    /// Returns the material's id.
    /// </summary>
    public async ValueTask<string> ImportAsync(KmsKey key, MaterialImport request, CancellationToken cancellationToken)
    {
        var parameters = await store.FindImportParametersAsync(key.KeyId, cancellationToken);
        if (parameters is null || !TokenHash.Matches(request.ImportToken, parameters.TokenHash))
        {
            KmsErrors.Throw(ErrorCode.InvalidImportToken, InvalidToken);
        }

        if (parameters.ValidTo <= clock.GetUtcNow())
        {
            KmsErrors.Throw(ErrorCode.ExpiredImportToken, "The import token has expired. Call GetParametersForImport for a new one.");
        }

        using var material = Unwrap(key, parameters, request.EncryptedMaterial);
        if (!ImportedMaterial.IsValidFor(key.KeySpec, material.Span))
        {
            KmsErrors.Throw(ErrorCode.IncorrectKeyMaterial, $"The key material is not valid for a KMS key with key spec {key.KeySpec}.");
        }

        var materialId = MaterialIdOf(key, material);
        if (request.KeyMaterialId is { } named && named != materialId)
        {
            KmsErrors.Throw(ErrorCode.IncorrectKeyMaterial, $"The key material is not the key material with id {named}.");
        }

        var versions = await store.ListMaterialVersionsAsync(key.KeyId, 0, MaxVersionsListed, cancellationToken);
        var version = VersionFor(key, versions, materialId, request.ImportType);
        var info = new ImportedMaterialInfo(materialId, request.ExpirationModel, request.ValidTo, request.Description);
        var stored = new StoredMaterial(key.KeyId, version, vault.Keyring.Barrier.Encrypt(RecordIds.KeyMaterial(key.Arn, version), material.Span), clock.GetUtcNow());
        if (!await store.PutImportedMaterialAsync(stored, info, cancellationToken))
        {
            KmsErrors.Throw(ErrorCode.Conflict, $"Other key material was imported into the KMS key {key.Arn} at the same time. Retry the request.");
        }

        return materialId;
    }

    /// <summary>The version imported material goes into, by AWS's rules for ImportType.</summary>
    private static int VersionFor(KmsKey key, IReadOnlyList<MaterialVersion> versions, string materialId, string? importType)
    {
        var known = versions.FirstOrDefault(v => v.Imported?.MaterialId == materialId);
        if ((importType ?? (versions.Count == 0 ? NewMaterial : ExistingMaterial)) == ExistingMaterial)
        {
            return known?.Version ?? throw new KmsException(ErrorCode.IncorrectKeyMaterial,
                "The key material is not the key material that was previously imported into this KMS key.");
        }

        if (known is not null)
        {
            KmsErrors.Throw(ErrorCode.IncorrectKeyMaterial, $"The key material (id: {materialId}) is already associated with the KMS key {key.Arn}.");
        }

        if (versions.Count == 0)
        {
            return key.CurrentMaterialVersion;
        }

        if (key.KeySpec != KeySpecs.SymmetricDefault)
        {
            KmsErrors.ValidationFailed("New key material can be imported only into symmetric encryption KMS keys; import the same key material with EXISTING_KEY_MATERIAL.");
        }

        if (versions.FirstOrDefault(v => v.Version > key.CurrentMaterialVersion) is { } pending)
        {
            KmsErrors.Throw(KmsErrors.InvalidState,
                $"New key material (id: {materialId}) cannot be imported into KMS key {key.Arn}, because another key material (id: {pending.Imported?.MaterialId}) is pending rotation.");
        }

        return versions.Max(v => v.Version) + 1;
    }

    /// <summary>
    /// Destroys one version's material (the caller records why first). When it is the current one
    /// the key waits for an import again, unless it is pending deletion.
    /// </summary>
    public async ValueTask DeleteMaterialAsync(KmsKey key, int version, CancellationToken cancellationToken)
    {
        await store.DeleteImportedMaterialAsync(key.KeyId, version, cancellationToken);
        vault.Forget(key.KeyId);
    }

    /// <summary>Destroys every version of <paramref name="key"/> whose material has expired.</summary>
    public async ValueTask DeleteExpiredAsync(KmsKey key, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var version in await store.ListMaterialVersionsAsync(key.KeyId, 0, MaxVersionsListed, cancellationToken))
        {
            if (version is { Present: true, Imported: { ExpirationModel: ExpirationModels.Expires, ValidTo: { } validTo } } && validTo <= now)
            {
                await DeleteMaterialAsync(key, version.Version, cancellationToken);
            }
        }
    }

    /// <summary>The material versions of an imported key, which on-demand rotations bound: at most the first plus one a rotation, plus one waiting.</summary>
    public ValueTask<IReadOnlyList<MaterialVersion>> VersionsAsync(KmsKey key, CancellationToken cancellationToken) =>
        store.ListMaterialVersionsAsync(key.KeyId, 0, MaxVersionsListed, cancellationToken);

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
