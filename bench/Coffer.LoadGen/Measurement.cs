namespace Coffer.LoadGen;

/// <summary>
/// The order of the runs: one warm-up of everything, then each scenario at each level, warmed up
/// and measured on Coffer and then on the ceiling; the server's memory sampled after each.
/// </summary>
internal sealed class Measurement(LoadRun run, BenchReport report, IReadOnlyList<Target> targets, int[] levels, TimeSpan measured, TimeSpan warm, TimeSpan firstWarm, int? serverPid)
{
    private long _sentToCoffer;

    public async Task RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
    {
        Sample("before load");

        // Tiered JIT, connection pools and the server's caches fill in the first seconds (JIT still took a
        // quarter of the server's CPU 20 s into a run on two shared cores); without one long warm-up of
        // everything at the highest level the first scenarios measured would pay for them.
        var everything = new Scenario("warm-up", scenarios.SelectMany(scenario => scenario.Schedule).Distinct().ToArray());
        foreach (var target in targets)
        {
            await RunAsync(everything, target, levels.Max(), firstWarm, timed: false, "after the first warm-up (every workload)", cancellationToken);
        }

        foreach (var scenario in scenarios)
        {
            foreach (var level in levels)
            {
                // Coffer and the ceiling back to back at each level, so that both see the same machine
                // load: the ratio is steadier than either figure on a shared machine.
                var results = new List<RunResult>();
                foreach (var target in targets)
                {
                    await RunAsync(scenario, target, level, warm, timed: false, $"after warm-up, {scenario.Name} at {level}", cancellationToken);
                    var result = await RunAsync(scenario, target, level, measured, timed: true, $"after {scenario.Name} at {level}", cancellationToken);
                    results.Add(result);
                    Console.Error.WriteLine($"{scenario.Name} at {level} on {target.Name}: {result.PerSecond:F0} req/s, {result.Errors} errors");
                }

                report.Add(new ComparedRow(results[0], results.Count > 1 ? results[1] : null));
            }
        }

        Sample("end");
    }

    /// <summary>Every response counts, warm-up ones too: they are not timed, but a failure fails the run.</summary>
    private async Task<RunResult> RunAsync(Scenario scenario, Target target, int level, TimeSpan duration, bool timed, string sample, CancellationToken cancellationToken)
    {
        var result = await run.RunAsync(scenario, target, level, duration, cancellationToken);
        report.Count(result, timed);
        if (target.Name == Target.CofferName)
        {
            _sentToCoffer += result.Ok + result.Errors;
            Sample(sample);
        }

        return result;
    }

    private void Sample(string when)
    {
        if (ServerMemory.ResidentKiB(serverPid) is { } kib)
        {
            report.Add(new MemorySample(when, _sentToCoffer, kib, ServerMemory.Field(serverPid, "Threads:")));
        }
    }
}
