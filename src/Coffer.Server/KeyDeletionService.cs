using Coffer.Service.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>Runs the deletion job on a timer of the injected clock, so tests can move time.</summary>
internal sealed partial class KeyDeletionService(KeyDeletionJob job, TimeSpan interval, TimeProvider clock, Barrier.Keyring keyring, ILogger<KeyDeletionService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (keyring.IsSealed)
            {
                continue;
            }

            try
            {
                var deleted = await job.RunOnceAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // A failed pass is retried on the next tick; keys stay pending, never half-deleted.
                LogFailed(logger, error);
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Deleted {Count} keys whose waiting period had passed")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "The key deletion pass failed")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
