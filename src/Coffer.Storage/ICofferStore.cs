using Coffer.Core;

namespace Coffer.Storage;

/// <summary>
/// Everything Coffer persists. Implementations are thread-safe and durable: a call that returned
/// has reached stable storage. Secrets arrive already sealed by the barrier (<see cref="StoredMaterial"/>,
/// <see cref="AccessKeyRecord.SealedSecret"/>): a store never sees plaintext key material.
/// </summary>
public interface ICofferStore : IIdentityStore, IKeyAccessStore, IAsyncDisposable
{
    /// <summary>Creates or migrates the schema. Safe to call on every start.</summary>
    ValueTask InitializeAsync(CancellationToken cancellationToken = default);

    ValueTask<byte[]?> GetSettingAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stores a setting unless one of that name exists; returns whether it stored it.</summary>
    ValueTask<bool> TryInsertSettingAsync(string name, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>Writes and deletes (null value) several settings in one transaction: all or none.</summary>
    ValueTask ReplaceSettingsAsync(IReadOnlyDictionary<string, byte[]?> settings, CancellationToken cancellationToken = default);

    /// <summary>Every key in every account and region (for re-encrypting records under a new domain key).</summary>
    ValueTask<IReadOnlyList<KmsKey>> ListAllKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Every version of every key's sealed material that is still there (deleted imported material is not).</summary>
    ValueTask<IReadOnlyList<StoredMaterial>> ListAllMaterialAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the sealed bytes of one material version if they are still <paramref name="expectedSealed"/>;
    /// returns false when the material changed or was deleted meanwhile, which must not be undone.
    /// </summary>
    ValueTask<bool> UpdateMaterialAsync(StoredMaterial material, byte[] expectedSealed, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<AccessKeyRecord>> ListAllAccessKeysAsync(CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<SessionRecord>> ListAllSessionsAsync(CancellationToken cancellationToken = default);

    ValueTask UpdateSessionSecretAsync(string accessKeyId, byte[] sealedSecret, CancellationToken cancellationToken = default);

    /// <summary>Inserts a key with its key policy, tags and first material version, atomically; a key awaiting imported material has none.</summary>
    ValueTask InsertKeyAsync(KmsKey key, string keyPolicy, IReadOnlyList<KmsTag> tags, StoredMaterial? material, CancellationToken cancellationToken = default);

    /// <summary>The key with this id in this region, or null.</summary>
    ValueTask<KmsKey?> FindKeyAsync(string region, string keyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a key's description, state and deletion date, only while the stored state and
    /// description are still those of <paramref name="expected"/> (the copy the caller decided on);
    /// returns whether it did. So a change decided on a copy read before another request (through this
    /// node or another) changed the state or the description cannot overwrite that change: DisableKey
    /// never undoes a ScheduleKeyDeletion, nor puts back a description UpdateKeyDescription replaced. The rotation
    /// schedule, material version, rotation count and import state each have their own write, so an
    /// update made from a copy read earlier cannot take a rotation, an import or a schedule change back.
    /// </summary>
    ValueTask<bool> UpdateKeyAsync(KmsKey key, KmsKey expected, CancellationToken cancellationToken = default);

    /// <summary>Sets the automatic rotation period and next date (both null: rotation off).</summary>
    ValueTask UpdateRotationScheduleAsync(string keyId, int? periodInDays, DateTimeOffset? nextRotation, CancellationToken cancellationToken = default);

    /// <summary>Keys of one account and region ordered by key id, starting after <paramref name="afterKeyId"/>.</summary>
    ValueTask<IReadOnlyList<KmsKey>> ListKeysAsync(string accountId, string region, string? afterKeyId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Keys pending deletion whose deletion date is at or before <paramref name="now"/>, in every account and region.</summary>
    ValueTask<IReadOnlyList<KmsKey>> ListKeysDueForDeletionAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    ValueTask<StoredMaterial?> FindMaterialAsync(string keyId, int version, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds the material version after the key's current one and makes it current, in one
    /// transaction: an on-demand rotation also counts itself, an automatic one moves the next
    /// rotation date to <paramref name="key"/>'s. Returns false, changing nothing, when the key
    /// moved on meanwhile: another rotation won, or (automatic) the key was disabled or its rotation
    /// turned off.
    /// </summary>
    ValueTask<bool> TryAddMaterialVersionAsync(KmsKey key, StoredMaterial material, CancellationToken cancellationToken = default);

    /// <summary>A key's material versions after <paramref name="afterVersion"/>, oldest first, without the material.</summary>
    ValueTask<IReadOnlyList<MaterialVersion>> ListMaterialVersionsAsync(string keyId, int afterVersion, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores imported material as one material version, with what is known of it, unless that
    /// version holds other material (returns false, changing nothing). When the version is the
    /// key's current one, the key takes its expiry and id, and a key pending import becomes
    /// Enabled; any other state stays as it is now. One transaction.
    /// </summary>
    ValueTask<bool> PutImportedMaterialAsync(StoredMaterial material, ImportedMaterialInfo info, CancellationToken cancellationToken = default);

    /// <summary>
    /// Destroys one material version's material, keeping what is known of it (so the same material
    /// can be recognised when imported again); when it is the key's current one, the key goes to
    /// PendingImport unless it is pending deletion. One transaction, leaving no copy in the
    /// store's files (as <see cref="DeleteKeyIfDueAsync"/>).
    /// </summary>
    ValueTask DeleteImportedMaterialAsync(string keyId, int version, CancellationToken cancellationToken = default);

    /// <summary>Makes a waiting material version current, unless the key's current version is no longer <paramref name="fromVersion"/> or the key is no longer enabled; returns whether it did.</summary>
    ValueTask<bool> TryMakeMaterialCurrentAsync(KmsKey key, int fromVersion, DateTimeOffset rotatedAt, CancellationToken cancellationToken = default);

    /// <summary>Keys with imported material that expires at or before <paramref name="now"/> and is still there.</summary>
    ValueTask<IReadOnlyList<KmsKey>> ListKeysWithExpiredMaterialAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Replaces a key's import parameters (the latest GetParametersForImport's).</summary>
    ValueTask PutImportParametersAsync(ImportParameters parameters, CancellationToken cancellationToken = default);

    ValueTask<ImportParameters?> FindImportParametersAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Forgets every key's import parameters (after a domain-key rotation, which they are not sealed under).</summary>
    ValueTask DeleteAllImportParametersAsync(CancellationToken cancellationToken = default);

    /// <summary>Enabled keys whose automatic rotation is due at or before <paramref name="now"/>, in every account and region.</summary>
    ValueTask<IReadOnlyList<KmsKey>> ListKeysDueForRotationAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a key, its material, tags and aliases in one transaction (crypto-shredding), if it is
    /// still pending deletion with its date at or before <paramref name="now"/>. False when it no
    /// longer is: a CancelKeyDeletion that came after the key was found due wins, as does another
    /// node's pass that deleted it first.
    /// </summary>
    ValueTask<bool> DeleteKeyIfDueAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<KmsTag>> GetTagsAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the whole tag set of a key.</summary>
    ValueTask ReplaceTagsAsync(string keyId, IReadOnlyList<KmsTag> tags, CancellationToken cancellationToken = default);

    /// <summary>Inserts an alias unless its name is taken in that account and region.</summary>
    ValueTask<bool> TryInsertAliasAsync(KmsAlias alias, CancellationToken cancellationToken = default);

    ValueTask<KmsAlias?> FindAliasAsync(string accountId, string region, string name, CancellationToken cancellationToken = default);

    ValueTask UpdateAliasAsync(KmsAlias alias, CancellationToken cancellationToken = default);

    ValueTask<bool> DeleteAliasAsync(string accountId, string region, string name, CancellationToken cancellationToken = default);

    /// <summary>Aliases of one account and region ordered by name, optionally only those of one key.</summary>
    ValueTask<IReadOnlyList<KmsAlias>> ListAliasesAsync(string accountId, string region, string? targetKeyId, string? afterName, int limit, CancellationToken cancellationToken = default);

    ValueTask UpsertAccessKeyAsync(AccessKeyRecord accessKey, CancellationToken cancellationToken = default);

    ValueTask<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken = default);

    /// <summary>The last use recorded for a key, or null when none was.</summary>
    ValueTask<KeyLastUse?> FindKeyLastUseAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records several keys' last uses in one transaction: all or none. A use older than the one
    /// stored is skipped, so a late or repeated batch never takes a later use back; so is the use of
    /// a key that no longer exists (deleted since), which must not fail the others.
    /// </summary>
    ValueTask SaveKeyLastUsesAsync(IReadOnlyCollection<KeyLastUse> uses, CancellationToken cancellationToken = default);
}

/// <summary>
/// One version of a key's material, sealed by the record barrier. <paramref name="RotationType"/>
/// says how a version after the first came to be (<see cref="RotationTypes"/>); null for the first.
/// </summary>
public sealed record StoredMaterial(string KeyId, int Version, byte[] Sealed, DateTimeOffset CreatedAt, string? RotationType = null);

/// <summary>
/// What GetParametersForImport gave out for a key: the hash of the import token, the wrapping
/// algorithm and key spec, and the wrapping private key sealed by the record barrier.
/// </summary>
public sealed record ImportParameters(string KeyId, byte[] TokenHash, string WrappingAlgorithm, string WrappingKeySpec, byte[] SealedPrivateKey, DateTimeOffset ValidTo);

/// <summary>
/// What is known of a material version without opening it: when and how it was made and, for
/// imported material, its id, expiry and description, and whether the material is still there.
/// </summary>
public sealed record MaterialVersion(int Version, DateTimeOffset CreatedAt, string? RotationType)
{
    public ImportedMaterialInfo? Imported { get; init; }

    /// <summary>False once imported material was deleted or expired; the version's id stays.</summary>
    public bool Present { get; init; } = true;

    /// <summary>When an imported version became current by a rotation.</summary>
    public DateTimeOffset? RotatedAt { get; init; }
}

/// <summary>What a caller said of imported material, and its id.</summary>
public sealed record ImportedMaterialInfo(string MaterialId, string ExpirationModel, DateTimeOffset? ValidTo, string? Description);

/// <summary>A key's last successful cryptographic use: the operation, when, and the request and audit event that did it.</summary>
public sealed record KeyLastUse(string KeyId, string Operation, DateTimeOffset Timestamp, string CloudTrailEventId, string KmsRequestId);

/// <summary>Whether an access key may sign requests. Persisted numbers: only add.</summary>
public enum AccessKeyStatus
{
    Active = 1,
    Inactive = 2,
}

/// <summary>An access key of a principal; the secret is sealed by the record barrier.</summary>
public sealed record AccessKeyRecord(
    string AccessKeyId,
    string AccountId,
    string PrincipalArn,
    string UserName,
    AccessKeyStatus Status,
    byte[] SealedSecret,
    DateTimeOffset CreatedAt);
