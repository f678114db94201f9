using Coffer.Audit;
using Coffer.Barrier;
using Coffer.Protocol.Sys;
using Coffer.Service.Operations;
using Coffer.Storage;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server;

/// <summary><c>GET /health</c>, for load balancers: unauthenticated, and saying nothing a status page would not.</summary>
public static class HealthStatus
{
    /// <summary>
    /// Answers 200 while the node can serve, 503 while its audit trail cannot be written; says too
    /// whether this node holds the jobs lease (runs the background jobs) or stands by.
    /// </summary>
    public static async Task WriteAsync(HttpContext http, SealStatus status, AuditTrail audit, IJobLease lease)
    {
        await audit.TryRecoverAsync(http.RequestAborted);
        var health = NodeStatus.From(status, audit) with { Jobs = lease.Held ? NodeStatus.JobsHeld : NodeStatus.JobsStandby };
        http.Response.StatusCode = health.Serving ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.Body.WriteAsync(NodeStatusJson.Write(health), http.RequestAborted);
    }
}
