using System.Text.Json.Serialization;
using Coffer.Audit;
using Coffer.Barrier;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server;

/// <summary>The body of <c>GET /health</c>.</summary>
public sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("sealed")] bool Sealed,
    [property: JsonPropertyName("seal")] string Seal,
    [property: JsonPropertyName("progress")] int Progress,
    [property: JsonPropertyName("threshold")] int Threshold,
    [property: JsonPropertyName("audit")] string Audit)
{
    public static HealthStatus From(SealStatus status, AuditTrail audit)
    {
        // A node whose trail cannot be written refuses every request, so a load balancer should not send it any.
        var trail = audit.WriterStopped ? "stopped" : audit.Healthy ? "ok" : "failing";
        return new(trail == "ok" ? "ok" : "unavailable", status.Sealed, status.Seal, status.Progress, status.Threshold, trail);
    }

    public bool Serving => Audit == "ok";

    /// <summary>Answers <c>GET /health</c>: 200 while the node can serve, 503 while its audit trail cannot be written.</summary>
    public static async Task WriteAsync(HttpContext http, SealStatus status, AuditTrail audit)
    {
        await audit.TryRecoverAsync(http.RequestAborted);
        var health = From(status, audit);
        http.Response.StatusCode = health.Serving ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        await http.Response.WriteAsJsonAsync(health, HealthJsonContext.Default.HealthStatus);
    }
}

[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
