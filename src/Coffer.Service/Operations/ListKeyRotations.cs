using System.Globalization;
using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class ListKeyRotationsRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public string? IncludeKeyMaterial { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed class RotationsListEntry
{
    public required string KeyId { get; init; }
    public string? KeyMaterialId { get; init; }
    public string? KeyMaterialDescription { get; init; }
    public string? ImportState { get; init; }
    public required string KeyMaterialState { get; init; }
    public string? ExpirationModel { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    public DateTimeOffset? RotationDate { get; init; }
    public string? RotationType { get; init; }

    public static RotationsListEntry From(KmsKey key, MaterialVersion version) => version.Imported is not { } imported
        ? new()
        {
            KeyId = key.KeyId,
            KeyMaterialId = KeyMaterialIds.Of(key, version.Version),
            KeyMaterialState = StateOf(key, version),
            RotationDate = version.RotationType is null ? null : version.CreatedAt,
            RotationType = version.RotationType,
        }
        : new()
        {
            KeyId = key.KeyId,
            KeyMaterialId = imported.MaterialId,
            KeyMaterialDescription = imported.Description,
            ImportState = version.Present ? "IMPORTED" : "PENDING_IMPORT",
            KeyMaterialState = StateOf(key, version),
            ExpirationModel = imported.ExpirationModel,
            ValidTo = imported.ValidTo,
            RotationDate = version.RotatedAt,
            RotationType = version.RotationType,
        };

    private static string StateOf(KmsKey key, MaterialVersion version) =>
        version.Version == key.CurrentMaterialVersion ? "CURRENT" : version.Version > key.CurrentMaterialVersion ? PendingRotation : "NON_CURRENT";

    public const string PendingRotation = "PENDING_ROTATION";
}

public sealed class ListKeyRotationsResponse
{
    public required List<RotationsListEntry> Rotations { get; init; }
    public string? NextMarker { get; init; }
    public required bool Truncated { get; init; }
}

/// <summary>
/// A key's rotations, oldest first, 1 to 1000 a page (default 100). ROTATIONS_ONLY, the default,
/// leaves out the first material, which no rotation made, and imported material waiting for a
/// rotation; ALL_KEY_MATERIAL includes both.
/// </summary>
public sealed class ListKeyRotations(ICofferStore store) : Operation<ListKeyRotationsRequest, ListKeyRotationsResponse>
{
    private const int DefaultLimit = 100;

    public override ValueTask CheckAsync(OperationCall call, ListKeyRotationsRequest request)
    {
        // Imported symmetric keys rotate on demand onto new imported material, so they list too.
        if (call.Key.KeySpec != KeySpecs.SymmetricDefault)
        {
            KeyRotation.EnsureRotatable(call.Key);
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<ListKeyRotationsResponse> ExecuteAsync(OperationCall call, ListKeyRotationsRequest request)
    {
        var key = call.Key;
        var after = request.Marker is null ? AfterFirstUnlessAll(request) : ParseMarker(request.Marker);
        var limit = request.Limit ?? DefaultLimit;
        var versions = (await store.ListMaterialVersionsAsync(key.KeyId, after, limit + 1, call.CancellationToken))
            // Material waiting for a rotation is not a rotation yet; it is always the last version.
            .Where(v => request.IncludeKeyMaterial == "ALL_KEY_MATERIAL" || v.Version <= key.CurrentMaterialVersion)
            .ToList();
        var (items, truncated, next) = Paging.Page(versions, limit, v => RotationsListEntry.From(key, v), v => v.Version.ToString(CultureInfo.InvariantCulture));
        return new ListKeyRotationsResponse { Rotations = items, Truncated = truncated, NextMarker = next };
    }

    private static int AfterFirstUnlessAll(ListKeyRotationsRequest request) => request.IncludeKeyMaterial == "ALL_KEY_MATERIAL" ? 0 : 1;

    private static int ParseMarker(string marker)
    {
        if (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            KmsErrors.Throw(KmsErrors.InvalidMarker, "Invalid marker");
        }

        return version;
    }
}
