namespace Coffer.Storage;

/// <summary>One stored audit event: its chain position and hash, the CloudTrail JSON, and columns to filter on.</summary>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset EventTime,
    string EventId,
    string EventName,
    string EventSource,
    string? AccountId,
    string? PrincipalArn,
    string? UserName,
    string? AccessKeyId,
    string? ErrorCode,
    string? SourceIp,
    bool ReadOnly,
    string Resources,
    string Json,
    byte[] Hash);

/// <summary>A signed digest: canonical JSON of what it covers, and the ECDSA signature over that JSON.</summary>
public sealed record AuditDigestRecord(long Sequence, DateTimeOffset CreatedAt, string Json, byte[] Signature);

/// <summary>Filters for reading the trail. Text filters match exactly; <see cref="Resource"/> matches any resource ARN of the event.</summary>
public sealed record AuditFilter
{
    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }
    public string? AccountId { get; init; }
    public string? EventName { get; init; }
    public string? EventSource { get; init; }
    public string? Resource { get; init; }
    public string? Principal { get; init; }
    public string? UserName { get; init; }
    public string? AccessKeyId { get; init; }
    public string? ErrorCode { get; init; }
    public string? SourceIp { get; init; }
    public bool? ReadOnly { get; init; }

    /// <summary>Newest-first paging: only events with a lower sequence.</summary>
    public long? BeforeSequence { get; init; }

    /// <summary>Oldest-first paging: only events with a higher sequence.</summary>
    public long? AfterSequence { get; init; }

    public bool NewestFirst { get; init; }
    public int Limit { get; init; } = 1000;
}

/// <summary>
/// The append-only audit trail. Appends are durable when they return. Nothing but retention
/// deletes, and retention only removes a prefix that a signed digest has recorded.
/// </summary>
public interface IAuditStore : IAsyncDisposable
{
    ValueTask InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>The last event's sequence and hash, or null for an empty trail.</summary>
    ValueTask<(long Sequence, byte[] Hash)?> LastAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends events in one transaction: all of them are durable, or none. An engine shared by
    /// several nodes never forks the chain: when the first event does not follow the stored head
    /// (another node appended meanwhile), it calls <paramref name="rechain"/> with that head while
    /// it still holds the write lock and writes the records it returns instead, so a busy node
    /// cannot keep another one's batch out; without <paramref name="rechain"/> it throws
    /// <see cref="AuditChainConflictException"/>.
    /// </summary>
    ValueTask AppendAsync(
        IReadOnlyList<AuditRecord> records,
        CancellationToken cancellationToken = default,
        Func<(long Sequence, byte[] Hash), IReadOnlyList<AuditRecord>>? rechain = null);

    /// <summary>
    /// As <see cref="AppendAsync"/>, except that the batch may not be durable yet when this
    /// returns: <see cref="SyncAsync"/> makes every batch appended so far durable. The audit
    /// writer commits the next batch while the disk flushes the last one, and answers no request
    /// before its batch is synced. An engine whose commit is durable by itself needs neither.
    /// </summary>
    ValueTask AppendUnsyncedAsync(
        IReadOnlyList<AuditRecord> records,
        CancellationToken cancellationToken = default,
        Func<(long Sequence, byte[] Hash), IReadOnlyList<AuditRecord>>? rechain = null) =>
        AppendAsync(records, cancellationToken, rechain);

    /// <summary>Makes every batch <see cref="AppendUnsyncedAsync"/> has appended durable; throws when it could not.</summary>
    ValueTask SyncAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a signed digest. An engine shared by several nodes throws
    /// <see cref="AuditChainConflictException"/> when a digest of that sequence exists already
    /// (another node wrote it first).
    /// </summary>
    ValueTask AppendDigestAsync(AuditDigestRecord digest, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<AuditDigestRecord>> ReadDigestsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Proves the trail is writable right now with a small durable write, so a state-changing
    /// request can be refused before it does anything when its event could not be recorded.
    /// </summary>
    ValueTask ProbeAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes every event up to and including <paramref name="sequence"/> (retention).</summary>
    ValueTask DeleteThroughAsync(long sequence, CancellationToken cancellationToken = default);
}
