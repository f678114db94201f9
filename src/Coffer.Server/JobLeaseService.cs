using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>
/// Keeps trying for the jobs lease on real time, so that when the node holding it dies another
/// takes over within one interval, and <c>/health</c> says which node holds it. A sealed node can
/// run no job, so it gives the lease up for an unsealed node to take.
/// </summary>
internal sealed partial class JobLeaseService(IJobLease lease, TimeSpan interval, Barrier.Keyring keyring, ILogger<JobLeaseService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, TimeProvider.System);
        try
        {
            do
            {
                await RunOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A clean stop hands the jobs over at once instead of when the connection times out.
        await lease.ReleaseAsync();
    }

    internal async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var before = lease.Held;
        if (keyring.IsSealed)
        {
            await lease.ReleaseAsync();
        }
        else
        {
            await lease.TryHoldAsync(cancellationToken);
        }

        if (lease.Held != before)
        {
            LogChanged(logger, lease.Held ? "holds" : "no longer holds");
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "This node {Change} the jobs lease (deletion, rotation, expiry, audit digests)")]
    private static partial void LogChanged(ILogger logger, string change);
}
