using Coffer.Service.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

/// <summary>
/// Writes the keys' last uses held in memory to the store every interval, sooner when the tracker
/// is full. <see cref="CofferApp"/> flushes a last time once the web server has stopped, so the
/// uses of requests that finished during shutdown are kept too.
/// </summary>
internal sealed partial class KeyUsageFlushService(KeyUsageTracker tracker, TimeSpan interval, ILogger<KeyUsageFlushService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Real time paces the flushes, as it does the audit digests: staleness after a crash is wall-clock time.
            while (true)
            {
                await tracker.WaitForFlushAsync(interval, stoppingToken);
                await RunOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tracker.FlushAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The uses stay in memory (bounded) and are written by a later flush.
            LogFailed(logger, tracker.Pending, error);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Writing {Count} keys' last uses failed; they are retried at the next flush")]
    private static partial void LogFailed(ILogger logger, int count, Exception error);
}
