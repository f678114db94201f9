using System.Diagnostics;

namespace Coffer.LoadGen;

/// <summary>Latency figures of one run, in milliseconds, over the requests that succeeded.</summary>
internal sealed record LatencyStats(double P50, double P90, double P99, double Max)
{
    public static LatencyStats Of(double[] sorted) => new(At(sorted, 0.50), At(sorted, 0.90), At(sorted, 0.99), sorted.Length == 0 ? 0 : sorted[^1]);

    private static double At(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];
}

/// <summary>One measured run: a scenario against one target at one concurrency.</summary>
internal sealed record RunResult(string Scenario, string Target, int Connections, long Ok, long Errors, double Seconds, LatencyStats Latency, IReadOnlyList<string> ErrorSamples,
    double? ServerCpuMicrosPerRequest, double ClientCpuMicrosPerRequest, IReadOnlyDictionary<string, double> AuditThreadCpuMicrosPerRequest)
{
    /// <summary>The threads whose CPU is broken out: Coffer's audit trail's own (the ceiling has none).</summary>
    public const string AuditThreads = "audit ";

    /// <summary>Correct responses per second; errors do not count, however fast they came back.</summary>
    public double PerSecond => Seconds == 0 ? 0 : Ok / Seconds;
}

/// <summary>Runs connections that each send back to back, one request at a time, for a fixed time.</summary>
internal sealed class LoadRun(SignedClient client)
{
    private const int SampleLimit = 5;

    public async Task<RunResult> RunAsync(Scenario scenario, Target target, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var latencies = new List<double>[connections];
        var samples = new List<string>();
        long errors = 0;
        var serverCpu = ProcessCpu.Used(target.Pid);
        var auditCpu = ProcessCpu.UsedByThread(target.Pid, RunResult.AuditThreads);
        var clientCpu = ProcessCpu.Own();
        var clock = Stopwatch.StartNew();
        var workers = new Task[connections];
        for (var worker = 0; worker < connections; worker++)
        {
            var mine = latencies[worker] = new List<double>(4096);
            var offset = worker;
            workers[worker] = Task.Run(async () =>
            {
                for (var next = offset; !stop.IsCancellationRequested; next++)
                {
                    var workload = scenario.Schedule[next % scenario.Schedule.Count];
                    var started = Stopwatch.GetTimestamp();
                    var problem = await SendOneAsync(workload, target.Endpoint(workload, offset));
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (problem is null)
                    {
                        mine.Add(elapsed);
                        continue;
                    }

                    Interlocked.Increment(ref errors);
                    lock (samples)
                    {
                        if (samples.Count < SampleLimit && !samples.Contains(problem))
                        {
                            samples.Add(problem);
                        }
                    }
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var serverCpuUsed = ProcessCpu.Used(target.Pid) - serverCpu;
        var auditCpuUsed = ProcessCpu.UsedByThread(target.Pid, RunResult.AuditThreads);
        var clientCpuUsed = ProcessCpu.Own() - clientCpu;
        var all = latencies.SelectMany(list => list).ToArray();
        Array.Sort(all);
        var sent = Math.Max(1, all.Length + errors);
        return new RunResult(scenario.Name, target.Name, connections, all.Length, errors, seconds, LatencyStats.Of(all), samples,
            serverCpuUsed?.TotalMicroseconds / sent, clientCpuUsed.TotalMicroseconds / sent,
            auditCpuUsed.ToDictionary(thread => thread.Key, thread => (thread.Value - auditCpu.GetValueOrDefault(thread.Key)).TotalMicroseconds / sent));
    }

    private async Task<string?> SendOneAsync(Workload workload, Uri endpoint)
    {
        try
        {
            var (status, body) = await client.SendAsync(endpoint, workload.Operation, workload.Body, CancellationToken.None);
            return workload.Check.Problem(status, body);
        }
        catch (HttpRequestException error)
        {
            return error.Message;
        }
        catch (TaskCanceledException)
        {
            return "timed out";
        }
    }
}
