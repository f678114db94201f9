using Coffer.Core;

namespace Coffer.Service;

/// <summary>The <c>KeyMetadata</c> structure of the KMS API, field for field.</summary>
public sealed class KeyMetadata
{
    public required string AWSAccountId { get; init; }
    public required string KeyId { get; init; }
    public required string Arn { get; init; }
    public required DateTimeOffset CreationDate { get; init; }
    public required bool Enabled { get; init; }
    public required string Description { get; init; }
    public required string KeyUsage { get; init; }
    public required string KeyState { get; init; }
    public DateTimeOffset? DeletionDate { get; init; }
    public required string Origin { get; init; }
    public required string KeyManager { get; init; }
    public required string CustomerMasterKeySpec { get; init; }
    public required string KeySpec { get; init; }
    public IReadOnlyList<string>? EncryptionAlgorithms { get; init; }
    public IReadOnlyList<string>? SigningAlgorithms { get; init; }
    public IReadOnlyList<string>? MacAlgorithms { get; init; }
    public IReadOnlyList<string>? KeyAgreementAlgorithms { get; init; }
    public required bool MultiRegion { get; init; }
    public string? CurrentKeyMaterialId { get; init; }
    public string? ExpirationModel { get; init; }
    public DateTimeOffset? ValidTo { get; init; }

    public static KeyMetadata From(KmsKey key) => new()
    {
        AWSAccountId = key.AccountId,
        KeyId = key.KeyId,
        Arn = key.Arn,
        CreationDate = key.CreationDate,
        Enabled = key.State == Core.KeyState.Enabled,
        Description = key.Description,
        KeyUsage = key.KeyUsage,
        KeyState = key.State.ToWire(),
        DeletionDate = key.State == Core.KeyState.PendingDeletion ? key.DeletionDate : null,
        Origin = key.Origin,
        KeyManager = key.KeyManager,
        CustomerMasterKeySpec = key.KeySpec,
        KeySpec = key.KeySpec,
        EncryptionAlgorithms = OrNull(KeySpecRules.EncryptionAlgorithms(key)),
        SigningAlgorithms = OrNull(KeySpecRules.SigningAlgorithms(key)),
        MacAlgorithms = OrNull(KeySpecRules.MacAlgorithms(key)),
        KeyAgreementAlgorithms = OrNull(KeySpecRules.KeyAgreementAlgorithms(key)),
        MultiRegion = false,
        CurrentKeyMaterialId = Keys.KeyMaterialIds.Current(key),
        ExpirationModel = key.ExpirationModel,
        ValidTo = key.ValidTo,
    };

    /// <summary>AWS lists only the algorithms of the key's usage, and omits the others.</summary>
    public static IReadOnlyList<string>? OrNull(IReadOnlyList<string> algorithms) => algorithms.Count == 0 ? null : algorithms;
}

/// <summary>A tag as the KMS API spells it.</summary>
public sealed class Tag
{
    public required string TagKey { get; init; }
    public required string TagValue { get; init; }
}

/// <summary>
/// A response that carries plaintext (data keys, decrypted data, random bytes). The protocol
/// layer calls <see cref="ZeroSecrets"/> once the response is written.
/// </summary>
public interface ISensitiveResponse
{
    void ZeroSecrets();
}
