using System.Threading.Channels;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Audit;

/// <summary>The audit trail could not record an event; the request that caused it must fail.</summary>
public sealed class AuditUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Appends events to the hash chain, durably, before their requests are answered. Callers await
/// <see cref="RecordAsync"/>; a single writer loop takes every event queued meanwhile, chains
/// them and commits them in one transaction (group commit), and a second loop flushes committed
/// batches to disk while the writer commits the next, so durability costs at most one disk flush
/// per batch, not per request, and the flush does not hold up the next commit. No request is
/// answered before its batch is flushed. If a commit or a flush fails, every event it covered
/// fails: the requests fail closed. Several nodes may share one store: a batch refused
/// because another node appended first is chained again on the stored head and retried. Thread-safe.
/// </summary>
public sealed class AuditTrail : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly IAuditStore _store;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Committed> _committed = Channel.CreateUnbounded<Committed>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _writer;
    private readonly Task _syncer;
    private long _commitFailures;
    private long _lastSequence;
    private byte[] _lastHash;
    private volatile bool _healthy = true;
    private readonly SemaphoreSlim _recovering = new(1, 1);

    private AuditTrail(IAuditStore store, long lastSequence, byte[] lastHash)
    {
        _store = store;
        _lastSequence = lastSequence;
        _lastHash = lastHash;
        // A thread of its own: SQLite's "async" calls run synchronously, so a loop on the thread pool
        // held one of its threads through every commit's fsync, and on two cores the pool's second
        // thread then did all the requests' work while the first waited on the disk.
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // The flush runs beside the next commit, on another thread of its own (see SyncLoop).
        _syncer = Task.Factory.StartNew(SyncLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public IAuditStore Store => _store;

    /// <summary>Whether the writer and syncer run and the last commit and flush succeeded. Requests are refused up front while not.</summary>
    public bool Healthy => _healthy && !WriterStopped;

    /// <summary>
    /// Whether the writer loop or the syncer loop has ended. They are built never to end while the trail is open; if it
    /// does, every request is refused at once and <c>/health</c> says so, instead of requests
    /// waiting for an event that no one will write.
    /// </summary>
    public bool WriterStopped => _writer.IsCompleted || _syncer.IsCompleted;

    public static async Task<AuditTrail> OpenAsync(IAuditStore store, CancellationToken cancellationToken = default)
    {
        await store.InitializeAsync(cancellationToken);
        var (sequence, hash) = await ReadHeadAsync(store, cancellationToken);
        return new AuditTrail(store, sequence, hash);
    }

    /// <summary>Where the chain goes on from: the last stored event, else (after retention removed everything) the last digest's record.</summary>
    private static async Task<(long Sequence, byte[] Hash)> ReadHeadAsync(IAuditStore store, CancellationToken cancellationToken)
    {
        if (await store.LastAsync(cancellationToken) is { } last)
        {
            return last;
        }

        var digests = await store.ReadDigestsAsync(cancellationToken);
        var anchor = digests.Select(d => AuditDigest.Parse(d.Json)).LastOrDefault(d => d.LastSequence > 0);
        return (anchor?.LastSequence ?? 0, anchor is null ? AuditChain.Genesis : Convert.FromHexString(anchor.LastHash));
    }

    /// <summary>
    /// Records the event durably; fails with (or throws) <see cref="AuditUnavailableException"/> when
    /// it could not. The event is serialised here, on the request's thread: every request waits for
    /// the single writer loop, so the less it does per event, the sooner every batch is durable.
    /// </summary>
    public Task RecordAsync(AuditEvent auditEvent)
    {
        byte[] utf8;
        string json;
        try
        {
            (utf8, json) = auditEvent.Serialize();
        }
        catch (Exception error)
        {
            // This event fails its own request only.
            return Task.FromException(new AuditUnavailableException("The audit event could not be serialised.", error));
        }

        // The bytes of the stored text, exactly as the verifier will hash them.
        var pending = new Pending(auditEvent, utf8, json, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (WriterStopped || !_queue.Writer.TryWrite(pending))
        {
            throw new AuditUnavailableException("The audit trail is closed.");
        }

        return pending.Done.Task;
    }

    /// <summary>
    /// Checks with a durable write that the trail can be written now; a state-changing request
    /// calls it before it runs, so that if its event could not be recorded, nothing was done.
    /// </summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.ProbeAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            _healthy = false;
            throw new AuditUnavailableException("The audit trail cannot be written.", error);
        }
    }

    /// <summary>
    /// While the trail is failing, tries the same durable write as <see cref="ProbeAsync"/> and, if it
    /// succeeds, lets requests in again. <c>/health</c> calls it: otherwise only a request's own event
    /// could clear the failure, and a node that a load balancer took out of rotation for its 503 gets
    /// no requests, so it would stay out long after the disk had room again. One probe at a time, so a
    /// burst of health checks costs one write. Returns whether the trail is healthy now.
    /// </summary>
    public async Task<bool> TryRecoverAsync(CancellationToken cancellationToken)
    {
        if (Healthy || WriterStopped || !await _recovering.WaitAsync(0, cancellationToken))
        {
            return Healthy;
        }

        try
        {
            await _store.ProbeAsync(cancellationToken);
            // Only the flag that refuses requests early changes; every response still waits for its own event.
            _healthy = true;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Still failing: /health keeps saying so.
        }
        finally
        {
            _recovering.Release();
        }

        return Healthy;
    }

    /// <summary>Throws when the last commit failed, so a request is refused before it does anything.</summary>
    public void EnsureHealthy()
    {
        if (!_healthy || WriterStopped)
        {
            throw new AuditUnavailableException("The audit trail cannot be written.");
        }
    }

    private void WriteLoop()
    {
        // Named, as the checkpointer is, so that a profile or the load generator's breakdown of CPU by thread can tell it apart.
        Thread.CurrentThread.Name = "audit writer";
        var batch = new List<Pending>(MaxBatch);
        var records = new List<AuditRecord>(MaxBatch);
        try
        {
            // Blocking waits are what this thread is for; a store that really is asynchronous
            // (PostgreSQL) completes on the pool and wakes it.
            while (WaitFor(_queue.Reader))
            {
                // The syncer holds the last batch until it is durable: each batch is a list of its own.
                batch = [];
                records.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                CommitAsync(batch, records).GetAwaiter().GetResult();
            }
        }
        catch (Exception error)
        {
            // Unreachable by design (CommitAsync catches everything); should it happen anyway, no
            // request may wait for this loop: fail what is in hand and refuse everything after.
            Fail(batch, new AuditUnavailableException("The audit writer stopped.", error));
        }
        finally
        {
            _healthy = false;
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
            {
                left.Done.TrySetException(new AuditUnavailableException("The audit trail is closed."));
            }

            // The syncer flushes what was committed, answers it, and ends.
            _committed.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Makes committed batches durable and only then answers their requests. While it flushes, the
    /// writer commits the next batch: on a disk whose flush takes as long as a commit, requests no
    /// longer wait for one and then the other. Every batch committed by the time a flush starts is
    /// covered by it, so a burst of small commits costs one flush.
    /// </summary>
    private void SyncLoop()
    {
        Thread.CurrentThread.Name = "audit flush";
        var waiting = new List<Committed>();
        try
        {
            while (WaitFor(_committed.Reader))
            {
                waiting.Clear();
                while (_committed.Reader.TryRead(out var committed))
                {
                    waiting.Add(committed);
                }

                try
                {
                    _store.SyncAsync().AsTask().GetAwaiter().GetResult();
                }
                catch (Exception error)
                {
                    _healthy = false;
                    foreach (var committed in waiting)
                    {
                        Fail(committed.Events, new AuditUnavailableException("The audit trail cannot be written.", error));
                    }

                    continue;
                }

                // Healthy again only if no commit has failed since the last of these was made.
                if (Volatile.Read(ref _commitFailures) == waiting[^1].FailuresBefore)
                {
                    _healthy = true;
                }

                foreach (var committed in waiting)
                {
                    foreach (var pending in committed.Events)
                    {
                        pending.Done.TrySetResult();
                    }
                }
            }
        }
        catch (Exception error)
        {
            // Unreachable by design, as in the writer loop: fail what is in hand.
            foreach (var committed in waiting)
            {
                Fail(committed.Events, new AuditUnavailableException("The audit writer stopped.", error));
            }
        }
        finally
        {
            _healthy = false;
            _committed.Writer.TryComplete();
            while (_committed.Reader.TryRead(out var left))
            {
                Fail(left.Events, new AuditUnavailableException("The audit trail is closed."));
            }
        }
    }

    private static bool WaitFor<T>(ChannelReader<T> reader)
    {
        var ready = reader.WaitToReadAsync();
        return ready.IsCompleted ? ready.Result : ready.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Chains and commits one batch, and hands it to the syncer. When another node sharing the store
    /// appended first, the store hands back its head under its write lock and the batch is chained
    /// on from it there, in the same transaction.
    /// </summary>
    private async Task CommitAsync(List<Pending> batch, List<AuditRecord> records)
    {
        var newHead = Chain(batch, records, (_lastSequence, _lastHash));
        try
        {
            await _store.AppendUnsyncedAsync(records, rechain: storedHead =>
            {
                newHead = Chain(batch, records, storedHead);
                return records;
            });
            (_lastSequence, _lastHash) = newHead;
            if (!_committed.Writer.TryWrite(new Committed(batch, Volatile.Read(ref _commitFailures))))
            {
                Fail(batch, new AuditUnavailableException("The audit trail is closed."));
            }
        }
        catch (Exception error)
        {
            if (error is AuditChainConflictException)
            {
                // The store's head could not be handed back (its row is missing): the next batch starts from what it holds.
                await TryReadHeadAsync();
            }

            Interlocked.Increment(ref _commitFailures);
            _healthy = false;
            Fail(batch, new AuditUnavailableException("The audit trail cannot be written.", error));
        }
    }

    /// <summary>Chains the events on from <paramref name="head"/>, into <paramref name="records"/>; returns the new head.</summary>
    private static (long Sequence, byte[] Hash) Chain(List<Pending> batch, List<AuditRecord> records, (long Sequence, byte[] Hash) head)
    {
        records.Clear();
        var (sequence, hash) = head;
        foreach (var pending in batch)
        {
            sequence++;
            hash = AuditChain.Next(hash, sequence, pending.Utf8);
            records.Add(ToRecord(pending.Event, sequence, pending.Json, hash));
        }

        return (sequence, hash);
    }

    /// <summary>Moves this writer's head to the stored one, when it can be read (the batch has failed either way).</summary>
    private async Task TryReadHeadAsync()
    {
        try
        {
            (_lastSequence, _lastHash) = await ReadHeadAsync(_store, CancellationToken.None);
        }
        catch (Exception)
        {
            // The store is unreachable: recovery reads the head again before the next batch is accepted.
        }
    }

    private static void Fail(List<Pending> pendings, AuditUnavailableException failure)
    {
        foreach (var pending in pendings)
        {
            pending.Done.TrySetException(failure);
        }
    }

    private static AuditRecord ToRecord(AuditEvent e, long sequence, string json, byte[] hash) => new(
        sequence, e.EventTime, e.EventId, e.EventName, e.EventSource, e.UserIdentity.AccountId ?? e.RecipientAccountId,
        e.UserIdentity.SessionIssuer?.Arn ?? e.UserIdentity.Arn, e.UserIdentity.UserName ?? e.UserIdentity.SessionIssuer?.UserName,
        e.UserIdentity.AccessKeyId, e.ErrorCode, e.SourceIpAddress, e.ReadOnly, string.Join(' ', e.Resources), json, hash);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        await _syncer;
        _recovering.Dispose();
    }

    /// <summary>A batch committed to the store, waiting for the flush that makes it durable, with the count of failed commits before it.</summary>
    private sealed record Committed(List<Pending> Events, long FailuresBefore);

    /// <summary>An event waiting for its batch, with its canonical JSON as the chain hashes it (UTF-8) and as the store keeps it (text).</summary>
    private sealed record Pending(AuditEvent Event, byte[] Utf8, string Json, TaskCompletionSource Done);
}
