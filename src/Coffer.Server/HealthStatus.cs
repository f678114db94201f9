using System.Text.Json.Serialization;

namespace Coffer.Server;

/// <summary>The body of <c>GET /health</c>.</summary>
public sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("sealed")] bool Sealed,
    [property: JsonPropertyName("seal")] string Seal,
    [property: JsonPropertyName("progress")] int Progress,
    [property: JsonPropertyName("threshold")] int Threshold)
{
    public static HealthStatus From(SealStatus status) => new("ok", status.Sealed, status.Seal, status.Progress, status.Threshold);
}

[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
