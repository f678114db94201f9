using Coffer.Service.Keys;
using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>
/// Runs the key jobs (deletion, rotation, expiry of imported material) on a timer of the injected
/// clock, so tests can move time. Nothing runs while sealed, nor on a node that does not hold the
/// jobs lease (another node sharing the store runs them).
/// </summary>
internal sealed partial class KeyJobsService(IReadOnlyList<KeyJob> jobs, TimeSpan interval, TimeProvider clock, Barrier.Keyring keyring, IJobLease lease,
    ILogger<KeyJobsService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (keyring.IsSealed || !await lease.TryHoldAsync(stoppingToken))
            {
                continue;
            }

            foreach (var job in jobs)
            {
                if (keyring.IsSealed)
                {
                    break;
                }

                try
                {
                    var changed = await job.RunOnceAsync(stoppingToken);
                    if (changed > 0)
                    {
                        LogChanged(logger, job.Name, changed);
                    }
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // A failed pass is retried on the next tick; a key is never half-deleted or half-rotated.
                    LogFailed(logger, job.Name, error);
                }
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "The {Job} pass changed {Count} keys")]
    private static partial void LogChanged(ILogger logger, string job, int count);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "The {Job} pass failed")]
    private static partial void LogFailed(ILogger logger, string job, Exception error);
}
