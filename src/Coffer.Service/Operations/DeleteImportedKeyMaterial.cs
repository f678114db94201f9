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
/// Destroys an EXTERNAL key's material at once, the current material's unless KeyMaterialId names
/// another: for the current one the key goes to PendingImport (or stays PendingDeletion). Its
/// ciphertexts decrypt again once the same material is imported.
/// </summary>
public sealed class DeleteImportedKeyMaterial(KeyImporter importer) : Operation<DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialResponse>
{
    public override ValueTask CheckAsync(OperationCall call, DeleteImportedKeyMaterialRequest request)
    {
        KeyImporter.EnsureExternal(call.Key);
        return ValueTask.CompletedTask;
    }

    /// <summary>The version named by KeyMaterialId, or else the current one; deleting material already gone changes nothing.</summary>
    public override async ValueTask<DeleteImportedKeyMaterialResponse> ExecuteAsync(OperationCall call, DeleteImportedKeyMaterialRequest request)
    {
        var versions = await importer.VersionsAsync(call.Key, call.CancellationToken);
        var target = versions.FirstOrDefault(v => request.KeyMaterialId is { } id ? v.Imported?.MaterialId == id : v.Version == call.Key.CurrentMaterialVersion);
        if (target is null && request.KeyMaterialId is not null)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"Key material {request.KeyMaterialId} is not associated with the KMS key {call.Key.Arn}.");
        }

        if (target is { Present: true })
        {
            await importer.DeleteMaterialAsync(call.Key, target.Version, call.CancellationToken);
        }

        return new DeleteImportedKeyMaterialResponse { KeyId = call.Key.Arn, KeyMaterialId = target?.Imported?.MaterialId };
    }
}
