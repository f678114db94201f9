using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>
/// The jobs lease as a session-level advisory lock (<see cref="PostgresDatabase.JobsLock"/>) held on a
/// connection of its own, outside the pool: PostgreSQL releases it when that session ends, so a node
/// that dies, is killed or loses its connection gives the lease up without doing anything, and
/// another node takes it at its next attempt. Each attempt by the holder runs a query on that
/// connection, so a holder whose session is gone finds out at its next attempt and stops running
/// jobs. Thread-safe: attempts are serialised.
/// </summary>
public sealed class PostgresJobLease : IJobLease
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _session;
    private volatile bool _held;

    public PostgresJobLease(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Returned to a pool, the session (and the lock) would outlive this lease.
            Pooling = false,
            // A dead database must make an attempt fail soon, not hang the jobs' timer.
            Timeout = 5,
            CommandTimeout = 5,
            // Finds a peer that vanished without closing the connection (a partition, a power cut).
            KeepAlive = 5,
        };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "coffer-jobs-lease";
        }

        _connectionString = builder.ConnectionString;
    }

    public bool Held => _held;

    public async ValueTask<bool> TryHoldAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            try
            {
                _held = await AttemptAsync(cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The session is gone or unusable, and with it the lock: start afresh next time.
                _held = false;
                await DropSessionAsync();
            }

            return _held;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> AttemptAsync(CancellationToken cancellationToken)
    {
        if (_session is { State: System.Data.ConnectionState.Open } && _held)
        {
            // The lock lives as long as the session: a round trip proves the session still does.
            await PostgresDatabase.ExecuteAsync(_session, "SELECT 1;", cancellationToken);
            return true;
        }

        if (_session is not { State: System.Data.ConnectionState.Open })
        {
            await DropSessionAsync();
            _session = new NpgsqlConnection(_connectionString);
            await _session.OpenAsync(cancellationToken);
        }

        return await PostgresDatabase.ScalarAsync(_session, "SELECT pg_try_advisory_lock(@lock);", cancellationToken, null, ("@lock", PostgresDatabase.JobsLock)) is true;
    }

    private async Task DropSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    public async ValueTask ReleaseAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _held = false;
            // Closing the session releases the lock at once: another node takes over at its next attempt.
            await DropSessionAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        _gate.Dispose();
    }
}
