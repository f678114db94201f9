using Coffer.Audit;
using Coffer.Core;

namespace Coffer.Service.Keys;

/// <summary>
/// Background work over keys whose date has come (deletion, rotation, expiry of imported material),
/// run on a timer and by tests. Each change is recorded first, as CloudTrail records KMS's own
/// service events: a change that cannot be recorded does not happen. One pass at a time (the timer
/// and a test's pass could otherwise both find the same key), and a bounded batch a pass, so a
/// backlog is worked off over several passes. Idempotent: a pass finding nothing due does nothing.
/// </summary>
public abstract class KeyJob(AuditTrail audit, TimeProvider clock, KeyCache keys)
{
    private const int BatchSize = 100;
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>What the job does, for the log.</summary>
    public abstract string Name { get; }

    /// <summary>The CloudTrail event name of one change.</summary>
    protected abstract string EventName { get; }

    protected TimeProvider Clock => clock;

    /// <summary>Up to <paramref name="limit"/> keys due at <paramref name="now"/>.</summary>
    protected abstract ValueTask<IReadOnlyList<KmsKey>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Makes the change to one due key; false when another pass or request got there first.</summary>
    protected abstract ValueTask<bool> ApplyAsync(KmsKey key, CancellationToken cancellationToken);

    /// <summary>Runs one pass and returns how many keys it changed.</summary>
    public async ValueTask<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            var changed = 0;
            List<Exception>? failures = null;
            foreach (var key in await DueAsync(clock.GetUtcNow(), BatchSize, cancellationToken))
            {
                // An audit trail that cannot be written stops the pass: nothing happens unrecorded.
                await audit.RecordAsync(KmsServiceEvent.For(key, EventName, clock.GetUtcNow()));
                try
                {
                    if (await ApplyAsync(key, cancellationToken))
                    {
                        changed++;
                    }
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // One key that fails must not hold back every key after it in the due order.
                    (failures ??= []).Add(error);
                }
                finally
                {
                    keys.Invalidate(key.KeyId);
                }
            }

            return failures is null ? changed : throw new AggregateException($"The {Name} pass changed {changed} keys and failed on {failures.Count}.", failures);
        }
        finally
        {
            _running.Release();
        }
    }
}
