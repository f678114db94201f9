namespace Coffer.Storage;

/// <summary>
/// The right to run the background jobs (key deletion, rotation, expiry of imported material, audit
/// digests and retention), held by one node at a time among the nodes that share a store. Whoever
/// holds it keeps it until it stops or loses its database connection; another node takes it at its
/// next attempt after that. Thread-safe.
/// </summary>
public interface IJobLease : IAsyncDisposable
{
    /// <summary>Whether this node held the lease at its last attempt (what <c>/health</c> reports).</summary>
    bool Held { get; }

    /// <summary>
    /// Takes the lease if no node holds it, or checks that this node still does; returns whether it
    /// holds it now. A failure to reach the database counts as not holding it, never as an error.
    /// </summary>
    ValueTask<bool> TryHoldAsync(CancellationToken cancellationToken = default);

    /// <summary>Gives the lease up (a node that cannot run the jobs, being sealed, leaves them to another).</summary>
    ValueTask ReleaseAsync();
}

/// <summary>The lease of an engine that only one node can open at a time (SQLite): always held.</summary>
public sealed class SingleNodeJobLease : IJobLease
{
    public bool Held => true;

    public ValueTask<bool> TryHoldAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    public ValueTask ReleaseAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
