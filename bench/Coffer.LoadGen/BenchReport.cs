using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Coffer.LoadGen;

/// <summary>The server's resident set at one point of the run, with how many requests it had been sent by then.</summary>
internal sealed record MemorySample(string When, long RequestsSoFar, long ResidentKiB, long? Threads);

/// <summary>How the run was made, kept beside the figures so a JSON file says what it measured.</summary>
internal sealed record RunSettings(string Machine, int Cores, string Runtime, int[] Connections, double Seconds, double WarmupSeconds, double FirstWarmupSeconds, int? ClientThreads, string[] Scenarios);

/// <summary>A Coffer figure beside the ceiling's for the same scenario and concurrency.</summary>
internal sealed record ComparedRow(RunResult Coffer, RunResult? Ceiling)
{
    /// <summary>None when the ceiling failed a check: its figure would not be a ceiling then.</summary>
    public double? CeilingRatio => Ceiling is { PerSecond: > 0, Errors: 0 } ceiling ? Coffer.PerSecond / ceiling.PerSecond : null;
}

/// <summary>Everything one invocation measured: printed as a table, written as JSON.</summary>
internal sealed class BenchReport(RunSettings settings)
{
    private static readonly string[] Headers =
        ["scenario", "conns", "req/s", "× ceiling", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "ceiling req/s", "ceiling p99 ms", CpuHeader];

    /// <summary>
    /// CPU per request of Coffer, of the ceiling and of the generator in the same runs: steadier than
    /// req/s on a shared machine, and with two processes on two cores the ratio follows from them.
    /// </summary>
    private const string CpuHeader = "CPU µs/req: coffer / ceiling / generator";

    private readonly List<ComparedRow> _rows = [];
    private readonly List<MemorySample> _memory = [];

    public double? NativeSignsPerSecond { get; set; }

    /// <summary>Failed requests during warm-ups, which are not timed but must not fail either.</summary>
    public long WarmupErrors { get; private set; }

    public bool AnyErrors => WarmupErrors > 0 || _rows.Any(row => row.Coffer.Errors > 0 || row.Ceiling?.Errors > 0);

    public void Add(ComparedRow row) => _rows.Add(row);

    /// <summary>Notes a run's failures; a warm-up's are reported at once, as no row will show them.</summary>
    public void Count(RunResult run, bool measured)
    {
        if (!measured && run.Errors > 0)
        {
            WarmupErrors += run.Errors;
            Console.Error.WriteLine($"warm-up of {run.Scenario} at {run.Connections} on {run.Target}: {run.Errors} errors, e.g. {string.Join("; ", run.ErrorSamples)}");
        }
    }

    public void Add(MemorySample sample) => _memory.Add(sample);

    public void Print(IAnsiConsole console)
    {
        var table = new Table().Title("Coffer, and a bare Kestrel endpoint (the ceiling) answering the same requests")
            .AddColumns(Headers);
        foreach (var column in table.Columns.Skip(1))
        {
            column.RightAligned();
        }

        foreach (var row in _rows)
        {
            var cells = Cells(row);
            cells[0] = Markup.Escape(cells[0]);
            if (cells[8] != "0")
            {
                cells[8] = $"[red]{cells[8]}[/]";
            }

            table.AddRow(cells);
        }

        console.Write(table);
        if (WarmupErrors > 0)
        {
            console.MarkupLineInterpolated($"[red]{WarmupErrors} requests failed during warm-ups (see above).[/]");
        }
        foreach (var run in _rows.SelectMany(row => new[] { row.Coffer, row.Ceiling }).OfType<RunResult>().Where(run => run.ErrorSamples.Count > 0))
        {
            console.MarkupLineInterpolated($"[red]{run.Scenario} at {run.Connections} on {run.Target}: {run.Errors} errors, e.g. {string.Join("; ", run.ErrorSamples)}[/]");
        }

        if (ThreadBreakdown() is { } breakdown)
        {
            var threads = new Table().Title("Coffer's CPU µs per request, by thread: the audit trail's own, and the rest (requests, sockets, runtime)")
                .AddColumns(breakdown.Headers);
            foreach (var cells in breakdown.Rows)
            {
                threads.AddRow(cells.Select(Markup.Escape).ToArray());
            }

            foreach (var column in threads.Columns.Skip(1))
            {
                column.RightAligned();
            }

            console.Write(threads);
        }

        if (NativeSignsPerSecond is { } native)
        {
            console.WriteLine($"ECDSA P-256 SignData, .NET alone on {settings.Cores} threads: {Int(native)} signatures/s.");
            foreach (var row in _rows.Where(row => row.Coffer.Scenario == "Sign-P256"))
            {
                console.WriteLine($"  Coffer Sign-P256 at {row.Coffer.Connections} connections: {Ratio(row.Coffer.PerSecond / native)} of it.");
            }
        }

        if (_memory.Count > 0)
        {
            var memory = new Table().Title("Server resident set (VmRSS)").AddColumns("when", "requests so far", "MiB", "threads");
            foreach (var sample in MemoryHighlights())
            {
                memory.AddRow(Markup.Escape(sample.When), Int(sample.RequestsSoFar), Mib(sample), sample.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-");
            }

            console.Write(memory);
        }
    }

    /// <summary>The main table and the memory samples as Markdown, in the form docs/benchmarks.md keeps them.</summary>
    public string Markdown()
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", Headers).AppendLine(" |");
        text.Append("|---").Insert(text.Length, "|---:", Headers.Length - 1).AppendLine("|");
        foreach (var row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", Cells(row)).AppendLine(" |");
        }

        if (ThreadBreakdown() is { } breakdown)
        {
            text.AppendLine().Append("| ").AppendJoin(" | ", breakdown.Headers).AppendLine(" |");
            text.Append("|---").Insert(text.Length, "|---:", breakdown.Headers.Length - 1).AppendLine("|");
            foreach (var cells in breakdown.Rows)
            {
                text.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");
            }
        }

        if (NativeSignsPerSecond is { } native)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"ECDSA P-256 SignData with .NET alone on {settings.Cores} threads: {Int(native)} signatures/s.");
        }

        if (_memory.Count > 0)
        {
            text.AppendLine().AppendLine("| server VmRSS | requests so far | MiB | threads |").AppendLine("|---|---:|---:|---:|");
            foreach (var sample in MemoryHighlights())
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {sample.When} | {Int(sample.RequestsSoFar)} | {Mib(sample)} | {sample.Threads} |");
            }
        }

        return text.ToString();
    }

    public async Task WriteJsonAsync(string path, CancellationToken cancellationToken)
    {
        var document = new
        {
            Settings = settings,
            Results = _rows,
            WarmupErrors,
            NativeEcdsaP256SignsPerSecond = NativeSignsPerSecond,
            ServerMemory = _memory,
        };
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, document, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }, cancellationToken);
    }

    /// <summary>
    /// Before any load, after the first warm-up and at the end: "flat after warm-up" compares the
    /// last two. Every sample is in the JSON.
    /// </summary>
    private IEnumerable<MemorySample> MemoryHighlights() => new[] { _memory[0], _memory[Math.Min(1, _memory.Count - 1)], _memory[^1] }.Distinct();

    /// <summary>
    /// Coffer's CPU per request split between its audit threads and the rest, for the runs that
    /// read them; none when no run did (no server pid, or another server than Coffer).
    /// </summary>
    private (string[] Headers, List<string[]> Rows)? ThreadBreakdown()
    {
        var names = _rows.SelectMany(row => row.Coffer.AuditThreadCpuMicrosPerRequest.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (names.Length == 0)
        {
            return null;
        }

        var rows = new List<string[]>();
        foreach (var coffer in _rows.Select(row => row.Coffer).Where(run => run.ServerCpuMicrosPerRequest is not null))
        {
            var audit = names.Select(name => coffer.AuditThreadCpuMicrosPerRequest.GetValueOrDefault(name)).ToArray();
            rows.Add([coffer.Scenario, Int(coffer.Connections), Micros(coffer.ServerCpuMicrosPerRequest), .. audit.Select(value => Micros(value)),
                Micros(coffer.ServerCpuMicrosPerRequest - audit.Sum())]);
        }

        return (["scenario", "conns", "all", .. names, "the rest"], rows);
    }

    private static string Mib(MemorySample sample) => (sample.ResidentKiB / 1024.0).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>One row of the main table, the same in the terminal and in Markdown: Coffer's figures, then the ceiling's.</summary>
    private static string[] Cells(ComparedRow row)
    {
        var (coffer, ceiling) = (row.Coffer, row.Ceiling);
        return
        [
            coffer.Scenario, Int(coffer.Connections), Int(coffer.PerSecond), Ratio(row.CeilingRatio),
            Ms(coffer.Latency.P50), Ms(coffer.Latency.P90), Ms(coffer.Latency.P99), Ms(coffer.Latency.Max),
            ceiling is { Errors: > 0 } ? $"{Int(coffer.Errors)} (+{Int(ceiling.Errors)} ceiling)" : Int(coffer.Errors),
            ceiling is null ? "-" : Int(ceiling.PerSecond), ceiling is null ? "-" : Ms(ceiling.Latency.P99),
            $"{Micros(coffer.ServerCpuMicrosPerRequest)} / {Micros(ceiling?.ServerCpuMicrosPerRequest)} / {Micros(coffer.ClientCpuMicrosPerRequest)}",
        ];
    }

    private static string Int(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Micros(double? value) => value?.ToString("F0", CultureInfo.InvariantCulture) ?? "-";

    private static string Ratio(double? value) => value?.ToString("F2", CultureInfo.InvariantCulture) ?? "-";
}
