using System.Text.Json.Serialization;

namespace Coffer.Server;

/// <summary>The body of <c>GET /health</c>.</summary>
public sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("sealed")] bool Sealed,
    [property: JsonPropertyName("seal")] string Seal);

[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
