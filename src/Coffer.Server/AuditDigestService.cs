using Coffer.Audit;
using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>
/// Writes a signed digest every interval (also when no events arrived), applies retention, and writes
/// a last digest on shutdown. The periodic digests and retention run only on the node holding the
/// jobs lease, so nodes sharing a store do not race to sign the same digest; any node's shutdown
/// digest is harmless (it is signed again on top of one that won a race).
/// </summary>
internal sealed partial class AuditDigestService(AuditDigester digester, TimeSpan interval, TimeSpan? retention, TimeProvider clock, IJobLease lease,
    ILogger<AuditDigestService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time paces the digests; the injected clock only stamps them. A test clock moved
        // a week ahead would otherwise fire one digest per interval of that week, back to back.
        using var timer = new PeriodicTimer(interval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await digester.WriteAsync("shutdown", CancellationToken.None);
        }
        catch (Exception error)
        {
            LogFailed(logger, error);
        }
    }

    internal async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await lease.TryHoldAsync(cancellationToken))
            {
                return;
            }

            await digester.WriteAsync("periodic", cancellationToken);
            if (retention is { } keep)
            {
                await digester.ApplyRetentionAsync(clock.GetUtcNow() - keep, cancellationToken);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogFailed(logger, error);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Writing an audit digest failed; it is retried at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
