using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Rotates symmetric keys: a rotation adds a material version and makes it current. New
/// ciphertexts use it; every older version stays, so every older ciphertext still decrypts
/// (a ciphertext names its version). AWS's rules for which keys rotate and how often live here.
/// </summary>
public sealed class KeyRotation(ICofferStore store, KeyMaterialVault vault, TimeProvider clock)
{
    public const int DefaultPeriodInDays = 365;
    public const int MinPeriodInDays = 90;
    public const int MaxPeriodInDays = 2560;

    /// <summary>RotateKeyOnDemand's limit per key, from the current API reference.</summary>
    public const int OnDemandLimit = 25;

    public TimeProvider Clock => clock;

    /// <summary>
    /// Only symmetric encryption keys with material KMS made rotate; asymmetric and HMAC keys, and
    /// (for now) keys with imported material, answer UnsupportedOperationException, as on AWS.
    /// </summary>
    public static bool CanRotate(KmsKey key) => key.KeySpec == KeySpecs.SymmetricDefault && key.Origin == KeyOrigins.AwsKms;

    /// <summary>
    /// Adds the next material version and makes it current. An automatic rotation also moves the
    /// next rotation date one period on; an on-demand one counts against the limit and leaves the
    /// schedule alone, as on AWS. Returns null, having changed nothing, when another rotation of
    /// the same key added that version first.
    /// </summary>
    public async ValueTask<KmsKey?> RotateAsync(KmsKey key, string rotationType, CancellationToken cancellationToken)
    {
        var version = key.CurrentMaterialVersion + 1;
        var material = await vault.CreateMaterialAsync(key, version, cancellationToken, rotationType);
        var rotated = rotationType == RotationTypes.OnDemand
            ? key with { CurrentMaterialVersion = version, OnDemandRotations = key.OnDemandRotations + 1 }
            : key with { CurrentMaterialVersion = version, NextRotationDate = clock.GetUtcNow().AddDays(key.RotationPeriodInDays ?? DefaultPeriodInDays) };
        return await store.TryAddMaterialVersionAsync(rotated, material, cancellationToken) ? rotated : null;
    }

    /// <summary>
    /// Makes the material imported for <paramref name="key"/> with NEW_KEY_MATERIAL current (AWS's
    /// on-demand rotation of an imported key), or refuses as AWS does when none waits. Returns null
    /// when another rotation of the key won the race.
    /// </summary>
    public async ValueTask<KmsKey?> RotateOntoImportedAsync(KmsKey key, CancellationToken cancellationToken)
    {
        var waiting = (await store.ListMaterialVersionsAsync(key.KeyId, key.CurrentMaterialVersion, 1, cancellationToken))
            .FirstOrDefault(v => v is { Present: true, Imported: not null });
        var imported = waiting?.Imported
            ?? throw new KmsException(KmsErrors.InvalidState, $"No available key material pending rotation for the key: {key.Arn}.");

        var rotated = key with
        {
            CurrentMaterialVersion = waiting!.Version,
            OnDemandRotations = key.OnDemandRotations + 1,
            ExpirationModel = imported.ExpirationModel,
            ValidTo = imported.ValidTo,
            ImportedMaterialId = imported.MaterialId,
        };
        return await store.TryMakeMaterialCurrentAsync(rotated, key.CurrentMaterialVersion, clock.GetUtcNow(), cancellationToken) ? rotated : null;
    }

    /// <summary>
    /// Enable- and DisableKeyRotation: a key that does not rotate is refused whatever its state, as
    /// AWS's key state table has it (an imported key pending import is unsupported, not pending);
    /// one that does must be enabled.
    /// </summary>
    public static void EnsureScheduleCanChange(KmsKey key)
    {
        EnsureRotatable(key);
        KeyStateRules.EnsureUsableForCrypto(key);
    }

    /// <summary>AWS's refusal for a key that does not rotate.</summary>
    public static void EnsureRotatable(KmsKey key)
    {
        if (!CanRotate(key))
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, key.Origin == KeyOrigins.AwsKms
                ? $"{key.Arn} key spec {key.KeySpec} does not support key rotation."
                : $"{key.Arn} origin is {key.Origin} which is not valid for this operation.");
        }
    }
}
