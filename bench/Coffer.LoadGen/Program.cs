using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text;
using Coffer.Crypto;
using Coffer.LoadGen;
using Spectre.Console;

var url = new Option<string[]>("--url")
{
    Description = "Coffer endpoint; repeat it for several nodes of one deployment, and each connection keeps to one of them in turn",
    DefaultValueFactory = _ => ["http://127.0.0.1:8080"],
    Arity = ArgumentArity.OneOrMore,
};
var accessKey = new Option<string>("--access-key-id") { Description = "Access key id (default: $COFFER_DEV_ACCESS_KEY_ID)" };
var secretOption = new Option<string>("--secret-access-key") { Description = "Secret (default: $COFFER_DEV_SECRET_ACCESS_KEY)" };
var region = new Option<string>("--region") { Description = "Region to sign for", DefaultValueFactory = _ => "us-east-1" };
var connections = new Option<int[]>("--connections") { Description = "Concurrent connections, each level run after the other (repeatable)", DefaultValueFactory = _ => [1, 16, 64], Arity = ArgumentArity.OneOrMore };
var seconds = new Option<double>("--seconds") { Description = "Measured seconds per scenario, level and target", DefaultValueFactory = _ => 10 };
var warmup = new Option<double>("--warmup-seconds") { Description = "Unmeasured seconds before each measured run", DefaultValueFactory = _ => 2 };
var firstWarmup = new Option<double>("--first-warmup-seconds") { Description = "Unmeasured seconds of every workload together before anything is measured (JIT, caches)", DefaultValueFactory = _ => 30 };
var operations = new Option<string[]>("--op")
{
    Description = $"Workloads to measure one at a time (repeatable; default all): {string.Join(", ", WorkloadCatalog.Names)}",
    Arity = ArgumentArity.OneOrMore,
};
var mix = new Option<string>("--mix") { Description = "Also run these workloads together, by weight, e.g. Encrypt-32B=4,Decrypt=4,GenerateDataKey=1" };
var ceilingUrl = new Option<string>("--ceiling-url") { Description = "The bare endpoint (bench/Coffer.Ceiling) to measure the same requests against" };
var serverPid = new Option<int?>("--server-pid") { Description = "Coffer's process id, to report its resident set before and after" };
var ceilingPid = new Option<int?>("--ceiling-pid") { Description = "The ceiling's process id, to report the CPU it spends per request beside Coffer's" };
var clientThreads = new Option<int?>("--client-threads") { Description = "Limit the generator to this many thread-pool threads" };
var nativeSeconds = new Option<double>("--native-sign-seconds") { Description = "Seconds to measure .NET's own ECDSA P-256 signing rate (0: skip)", DefaultValueFactory = _ => 3 };
var json = new Option<string>("--json") { Description = "Also write the results to this JSON file" };
var markdown = new Option<string>("--markdown") { Description = "Also write the table as Markdown to this file, for docs/benchmarks.md" };

var root = new RootCommand("Drives a running Coffer with SigV4-signed KMS requests, checks every response and reports throughput and latency, as a ratio to a bare endpoint.")
{
    url, accessKey, secretOption, region, connections, seconds, warmup, firstWarmup, operations, mix, ceilingUrl, serverPid, ceilingPid, clientThreads, nativeSeconds, json, markdown,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var id = parse.GetValue(accessKey) ?? Environment.GetEnvironmentVariable("COFFER_DEV_ACCESS_KEY_ID");
    var secretText = parse.GetValue(secretOption) ?? Environment.GetEnvironmentVariable("COFFER_DEV_SECRET_ACCESS_KEY");
    if (id is null || secretText is null)
    {
        Console.Error.WriteLine("coffer-loadgen: give --access-key-id and --secret-access-key (or the COFFER_DEV_* variables).");
        return 2;
    }

    if (parse.GetValue(clientThreads) is { } threads)
    {
        // Minimum first: the maximum may not go below it.
        if (!ThreadPool.SetMinThreads(threads, threads) || !ThreadPool.SetMaxThreads(threads, threads))
        {
            Console.Error.WriteLine($"coffer-loadgen: the thread pool refused {threads} threads.");
            return 2;
        }
    }

    using var secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(secretText));
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
    var client = new SignedClient(http, id, secret, parse.GetValue(region)!);
    var cofferUrls = parse.GetValue(url)!.Select(text => new Uri(text)).ToArray();
    // The keys are made through the first node; every node of one deployment serves them.
    var catalog = new WorkloadCatalog(client, cofferUrls[0]);
    var workloads = (await catalog.CreateAsync(cancellationToken)).ToDictionary(workload => workload.Name);

    var scenarios = new List<Scenario>();
    foreach (var name in parse.GetValue(operations) is { Length: > 0 } chosen ? chosen : WorkloadCatalog.Names)
    {
        if (!workloads.TryGetValue(name, out var workload))
        {
            Console.Error.WriteLine($"coffer-loadgen: no workload {name}; there are {string.Join(", ", WorkloadCatalog.Names)}.");
            return 2;
        }

        scenarios.Add(new Scenario(name, [workload]));
    }

    if (parse.GetValue(mix) is { } mixText)
    {
        if (Mix.Parse(mixText, workloads) is not { } mixed)
        {
            Console.Error.WriteLine($"coffer-loadgen: --mix takes NAME=WEIGHT,… with names among {string.Join(", ", WorkloadCatalog.Names)}.");
            return 2;
        }

        scenarios.Add(mixed);
    }

    var targets = new List<Target> { Target.Coffer(cofferUrls) with { Pid = cofferUrls.Length == 1 ? parse.GetValue(serverPid) : null } };
    if (parse.GetValue(ceilingUrl) is { } ceiling)
    {
        targets.Add(await Target.CeilingAsync(http, new Uri(ceiling), workloads.Values, cancellationToken) with { Pid = parse.GetValue(ceilingPid) });
    }

    var levels = parse.GetValue(connections)!;
    var measured = TimeSpan.FromSeconds(parse.GetValue(seconds));
    var warm = TimeSpan.FromSeconds(parse.GetValue(warmup));
    var firstWarm = TimeSpan.FromSeconds(parse.GetValue(firstWarmup));
    var report = new BenchReport(new RunSettings(MachineName(), Environment.ProcessorCount, RuntimeInformation.FrameworkDescription, levels,
        measured.TotalSeconds, warm.TotalSeconds, firstWarm.TotalSeconds, parse.GetValue(clientThreads), scenarios.Select(scenario => scenario.Name).ToArray()));
    await new Measurement(new LoadRun(client), report, targets, levels, measured, warm, firstWarm, parse.GetValue(serverPid)).RunAsync(scenarios, cancellationToken);
    if (parse.GetValue(nativeSeconds) is > 0 and var native && scenarios.Any(scenario => scenario.Name == "Sign-P256"))
    {
        report.NativeSignsPerSecond = NativeSignBaseline.SignaturesPerSecond(catalog.Message, TimeSpan.FromSeconds(native));
    }

    var console = AnsiConsole.Console;
    if (Console.IsOutputRedirected)
    {
        // Spectre assumes 80 columns when it cannot ask a terminal; the table needs more to stay readable in a log.
        console.Profile.Width = 200;
    }

    report.Print(console);
    if (parse.GetValue(json) is { } path)
    {
        await report.WriteJsonAsync(path, cancellationToken);
    }

    if (parse.GetValue(markdown) is { } markdownPath)
    {
        await File.WriteAllTextAsync(markdownPath, report.Markdown(), cancellationToken);
    }

    // A run with failed requests measured something other than the server doing its job.
    return report.AnyErrors ? 1 : 0;
});
return await root.Parse(args).InvokeAsync();

static string MachineName()
{
    var model = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        : null;
    return $"{model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {RuntimeInformation.OSDescription}";
}
