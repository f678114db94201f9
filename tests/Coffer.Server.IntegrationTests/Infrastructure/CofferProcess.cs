using System.Diagnostics;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// <c>./coffer server --dev</c> as a separate process, started the way a user starts it, so tests
/// can kill it with SIGKILL and start it again on the same data folder.
/// </summary>
public sealed class CofferProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private CofferProcess(Process process, StringBuilder output, int port)
    {
        _process = process;
        _output = output;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server's own process (the launcher execs into it), for tests that read its memory.</summary>
    public int ProcessId => _process.Id;
    public Uri Address => new($"http://127.0.0.1:{Port}");
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public static async Task<CofferProcess> StartAsync(string dataDir, IDictionary<string, string>? env = null, int? port = null, bool dev = true,
        IEnumerable<string>? extraArguments = null, IEnumerable<string>? rawArguments = null)
    {
        var listenPort = port ?? Repo.FreePort();
        var info = new ProcessStartInfo(Repo.Launcher)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        foreach (var arg in rawArguments ?? new[] { "server", dev ? "--dev" : "--insecure-http", "--data-dir", dataDir, "--listen", $"127.0.0.1:{listenPort}" }.Concat(extraArguments ?? []))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // The first start may build the CLI; later ones take a second or two.
        var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(4)));
        if (started != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"coffer server did not become ready:\n{output}");
        }

        return new CofferProcess(process, output, listenPort);

        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (line.StartsWith("Coffer listening on ", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
    }

    public AmazonKeyManagementServiceClient Kms(string accessKeyId, string secret, string region = "us-east-1") =>
        new(new BasicAWSCredentials(accessKeyId, secret), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = Address.ToString(),
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        });

    /// <summary>SIGKILL: no shutdown hooks, no flushing, as a crash or the OOM killer would do.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager stops it; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
