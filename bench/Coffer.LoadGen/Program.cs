using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Coffer.Crypto;
using Coffer.LoadGen;
using Spectre.Console;

var url = new Option<string>("--url") { Description = "Coffer endpoint", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var accessKey = new Option<string>("--access-key-id") { Description = "Access key id (default: $COFFER_DEV_ACCESS_KEY_ID)" };
var secretOption = new Option<string>("--secret-access-key") { Description = "Secret (default: $COFFER_DEV_SECRET_ACCESS_KEY)" };
var region = new Option<string>("--region") { Description = "Region to sign for", DefaultValueFactory = _ => "us-east-1" };
var connections = new Option<int[]>("--connections") { Description = "Concurrent connections (repeatable)", DefaultValueFactory = _ => [1, 16, 64], Arity = ArgumentArity.OneOrMore };
var seconds = new Option<int>("--seconds") { Description = "Measured seconds per run (after 2 s warm-up)", DefaultValueFactory = _ => 10 };
var size = new Option<int>("--plaintext-bytes") { Description = "Plaintext size for Encrypt", DefaultValueFactory = _ => 256 };

var root = new RootCommand("Drives a running Coffer with SigV4-signed Encrypt and Decrypt requests and reports throughput and latency.")
{
    url, accessKey, secretOption, region, connections, seconds, size,
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

    using var secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(secretText));
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
    var client = new SignedClient(http, new Uri(parse.GetValue(url)!), id, secret, parse.GetValue(region)!);

    var created = await client.SendAsync("CreateKey", "{\"Description\":\"load generator\"}", cancellationToken);
    var keyId = JsonDocument.Parse(created.Body).RootElement.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
    var plaintext = Convert.ToBase64String(RandomSource.Bytes(parse.GetValue(size)));
    var encryptBody = $"{{\"KeyId\":\"{keyId}\",\"Plaintext\":\"{plaintext}\",\"EncryptionContext\":{{\"bench\":\"yes\"}}}}";
    var encrypted = await client.SendAsync("Encrypt", encryptBody, cancellationToken);
    var blob = JsonDocument.Parse(encrypted.Body).RootElement.GetProperty("CiphertextBlob").GetString()!;
    var decryptBody = $"{{\"CiphertextBlob\":\"{blob}\",\"EncryptionContext\":{{\"bench\":\"yes\"}}}}";

    var table = new Table().AddColumns("operation", "connections", "requests", "errors", "req/s", "p50 ms", "p99 ms");
    foreach (var (operation, body) in new[] { ("Encrypt", encryptBody), ("Decrypt", decryptBody) })
    {
        foreach (var count in parse.GetValue(connections)!)
        {
            await LoadRun.RunAsync(client, operation, body, count, TimeSpan.FromSeconds(2), cancellationToken);
            var result = await LoadRun.RunAsync(client, operation, body, count, TimeSpan.FromSeconds(parse.GetValue(seconds)), cancellationToken);
            table.AddRow(operation, $"{count}", $"{result.Requests}", $"{result.Errors}", $"{result.PerSecond:F0}", $"{result.P50:F2}", $"{result.P99:F2}");
        }
    }

    AnsiConsole.Write(table);
    return 0;
});
return await root.Parse(args).InvokeAsync();

namespace Coffer.LoadGen
{
    internal sealed record LoadResult(long Requests, long Errors, double PerSecond, double P50, double P99);

    internal static class LoadRun
    {
        /// <summary>Runs <paramref name="connections"/> workers sending back to back for <paramref name="duration"/>.</summary>
        public static async Task<LoadResult> RunAsync(SignedClient client, string operation, string body, int connections, TimeSpan duration, CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stop.CancelAfter(duration);
            var latencies = new List<double>[connections];
            long errors = 0;
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, connections).Select(async worker =>
            {
                var mine = latencies[worker] = new List<double>(100_000);
                while (!stop.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        var (status, _) = await client.SendAsync(operation, body, CancellationToken.None);
                        if (status != 200)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref errors);
                    }

                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }).ToArray();
            await Task.WhenAll(workers);
            var elapsed = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            return new LoadResult(all.Length, errors, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
        }

        private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];
    }
}
