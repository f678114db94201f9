using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class DeleteImportedKeyMaterialRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public string? KeyMaterialId { get; init; }
}

public sealed class DeleteImportedKeyMaterialResponse
{
    public required string KeyId { get; init; }
    public string? KeyMaterialId { get; init; }
}

/// <summary>
/// Destroys an EXTERNAL key's material at once: the key goes to PendingImport (or stays
/// PendingDeletion), and its ciphertexts decrypt again only once the same material is imported.
/// </summary>
public sealed class DeleteImportedKeyMaterial(KeyImporter importer) : Operation<DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialResponse>
{
    public override ValueTask CheckAsync(OperationCall call, DeleteImportedKeyMaterialRequest request)
    {
        KeyImporter.EnsureExternal(call.Key);
        if (request.KeyMaterialId is { } id && id != call.Key.ImportedMaterialId)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"Key material {id} is not associated with the KMS key {call.Key.Arn}.");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<DeleteImportedKeyMaterialResponse> ExecuteAsync(OperationCall call, DeleteImportedKeyMaterialRequest request)
    {
        if (call.Key.ExpirationModel is not null)
        {
            await importer.DeleteMaterialAsync(call.Key, call.CancellationToken);
        }

        return new DeleteImportedKeyMaterialResponse { KeyId = call.Key.Arn, KeyMaterialId = call.Key.ImportedMaterialId };
    }
}
