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
    public required string KeyMaterialState { get; init; }
    public DateTimeOffset? RotationDate { get; init; }
    public string? RotationType { get; init; }
}

public sealed class ListKeyRotationsResponse
{
    public required List<RotationsListEntry> Rotations { get; init; }
    public string? NextMarker { get; init; }
    public required bool Truncated { get; init; }
}

/// <summary>
/// A key's rotations, oldest first, 1 to 1000 a page (default 100). ROTATIONS_ONLY, the default,
/// leaves out the first material, which no rotation made; ALL_KEY_MATERIAL includes it.
/// </summary>
public sealed class ListKeyRotations(ICofferStore store) : Operation<ListKeyRotationsRequest, ListKeyRotationsResponse>
{
    private const int DefaultLimit = 100;

    public override ValueTask CheckAsync(OperationCall call, ListKeyRotationsRequest request)
    {
        KeyRotation.EnsureRotatable(call.Key);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<ListKeyRotationsResponse> ExecuteAsync(OperationCall call, ListKeyRotationsRequest request)
    {
        var key = call.Key;
        var after = request.Marker is null ? AfterFirstUnlessAll(request) : ParseMarker(request.Marker);
        var limit = request.Limit ?? DefaultLimit;
        var versions = await store.ListMaterialVersionsAsync(key.KeyId, after, limit + 1, call.CancellationToken);
        var (items, truncated, next) = Paging.Page(versions, limit, v => new RotationsListEntry
        {
            KeyId = key.KeyId,
            KeyMaterialId = KeyMaterialIds.Of(key, v.Version),
            KeyMaterialState = v.Version == key.CurrentMaterialVersion ? "CURRENT" : "NON_CURRENT",
            RotationDate = v.RotationType is null ? null : v.CreatedAt,
            RotationType = v.RotationType,
        }, v => v.Version.ToString(CultureInfo.InvariantCulture));
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
