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
    public required IReadOnlyList<string> EncryptionAlgorithms { get; init; }
    public required bool MultiRegion { get; init; }

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
        EncryptionAlgorithms = [Core.EncryptionAlgorithms.SymmetricDefault],
        MultiRegion = false,
    };
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
