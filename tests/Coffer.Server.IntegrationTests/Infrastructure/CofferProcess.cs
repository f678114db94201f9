using System.Diagnostics;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// <c>coffer server --dev</c> as a separate process, so tests can kill it with SIGKILL and start it
/// again on the same data folder. It runs the built CLI directly (see <see cref="Repo.CliAsync"/>);
/// <c>viaLauncher</c> starts it through <c>./coffer</c> as a user does.
/// </summary>
public sealed class CofferProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "Coffer listening on ";

    private readonly Process _process;
    private readonly StringBuilder _output;

    private CofferProcess(Process process, StringBuilder output, Uri address)
    {
        _process = process;
        _output = output;
        Port = address.Port;
    }

    /// <summary>The port it listens on: the one asked for, or the one the system gave it.</summary>
    public int Port { get; }

    /// <summary>The server's own process (the launcher execs into it), for tests that read its memory.</summary>
    public int ProcessId => _process.Id;
    public Uri Address => new($"http://127.0.0.1:{Port}");
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>
    /// Starts a server on <paramref name="dataDir"/>. Without a <paramref name="port"/> it listens on port 0 and the
    /// system picks a free one, so servers started side by side by parallel tests never race for a port.
    /// </summary>
    public static async Task<CofferProcess> StartAsync(string dataDir, IDictionary<string, string>? env = null, int? port = null, bool dev = true,
        IEnumerable<string>? extraArguments = null, IEnumerable<string>? rawArguments = null, bool viaLauncher = false, string? workingDirectory = null)
    {
        (string File, string[] Arguments) cli = await Repo.CliAsync();
        if (viaLauncher)
        {
            cli = (Repo.Launcher, []);
        }

        var (file, leading) = cli;
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var arg in leading.Concat(rawArguments ?? new[] { "server", dev ? "--dev" : "--insecure-http", "--data-dir", dataDir, "--listen", $"127.0.0.1:{port ?? 0}" }.Concat(extraArguments ?? [])))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // A second or two, but much longer on a machine busy with parallel tests and builds.
        var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(4)));
        if (started != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"coffer server did not become ready:\n{output}");
        }

        return new CofferProcess(process, output, await ready.Task);

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

            if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
            {
                ready.TrySetResult(new Uri(line[ListeningPrefix.Length..].Trim()));
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
