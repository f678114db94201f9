using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class ImportKeyMaterialRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public required byte[] ImportToken { get; init; }
    public required byte[] EncryptedKeyMaterial { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    public string? ExpirationModel { get; init; }
    public string? ImportType { get; init; }
    public string? KeyMaterialDescription { get; init; }
    public string? KeyMaterialId { get; init; }
}

public sealed class ImportKeyMaterialResponse
{
    public required string KeyId { get; init; }
    public string? KeyMaterialId { get; init; }
}

/// <summary>
/// Imports wrapped key material into an EXTERNAL key, which becomes Enabled. Importing again brings
/// the same material (to restore it after expiry or deletion, or to change its expiry), or, for a
/// symmetric key, new material (NEW_KEY_MATERIAL) that RotateKeyOnDemand then makes current.
/// </summary>
public sealed class ImportKeyMaterial(KeyImporter importer) : Operation<ImportKeyMaterialRequest, ImportKeyMaterialResponse>
{
    public override void Validate(ImportKeyMaterialRequest request)
    {
        var model = ExpirationModel(request);
        if (model == ExpirationModels.Expires && request.ValidTo is null)
        {
            KmsErrors.ValidationFailed("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
        }

        if (model == ExpirationModels.DoesNotExpire && request.ValidTo is not null)
        {
            KmsErrors.ValidationFailed("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE");
        }
    }

    public override ValueTask CheckAsync(OperationCall call, ImportKeyMaterialRequest request)
    {
        KeyImporter.EnsureExternal(call.Key);
        if (call.Key.State == KeyState.Disabled)
        {
            // AWS imports into a key pending import or enabled only.
            KmsErrors.KeyDisabled(call.Key.Arn);
        }

        if (call.Key.KeySpec != KeySpecs.SymmetricDefault && (request.ImportType is not null || request.KeyMaterialId is not null))
        {
            KmsErrors.ValidationFailed("ImportType and KeyMaterialId can be used only with symmetric encryption KMS keys.");
        }

        if (request.ImportType == "NEW_KEY_MATERIAL" && request.KeyMaterialId is not null)
        {
            KmsErrors.ValidationFailed("You cannot specify a KeyMaterialId when the ImportType is NEW_KEY_MATERIAL.");
        }

        var now = importer.Clock.GetUtcNow();
        if (request.ValidTo is { } validTo && (validTo <= now || validTo > now + KeyImporter.LongestValidity))
        {
            KmsErrors.ValidationFailed("The validTo date must be in the future and at most 365 days from now.");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<ImportKeyMaterialResponse> ExecuteAsync(OperationCall call, ImportKeyMaterialRequest request)
    {
        var materialId = await importer.ImportAsync(call.Key, new MaterialImport(request.ImportToken, request.EncryptedKeyMaterial, ExpirationModel(request),
            request.ValidTo, request.ImportType, request.KeyMaterialDescription, request.KeyMaterialId), call.CancellationToken);
        // AWS names material by id for symmetric keys only, which can hold several.
        return new ImportKeyMaterialResponse { KeyId = call.Key.Arn, KeyMaterialId = call.Key.KeySpec == KeySpecs.SymmetricDefault ? materialId : null };
    }

    /// <summary>AWS's default is material that expires.</summary>
    private static string ExpirationModel(ImportKeyMaterialRequest request) => request.ExpirationModel ?? ExpirationModels.Expires;
}
