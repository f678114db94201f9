using System.Diagnostics;
using System.Text;

namespace Coffer.Crypto.Tests.Asymmetric;

/// <summary>
/// Runs the openssl command line as the independent second implementation. It must be installed
/// (Debian ships it): a missing openssl fails the test rather than skipping it, so a cross-check
/// can never pass by not running.
/// </summary>
internal sealed class OpenSsl : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("coffer-openssl-").FullName;

    /// <summary>Writes <paramref name="bytes"/> to a file in this run's folder and returns its path.</summary>
    public string File(string name, byte[] bytes)
    {
        var path = Path(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A DER SubjectPublicKeyInfo as a PEM file, the form every openssl verb reads.</summary>
    public string PublicKeyPem(string name, byte[] spki) => TextFile(name, Pem("PUBLIC KEY", spki));

    public string PrivateKeyPem(string name, byte[] pkcs8) => TextFile(name, Pem("PRIVATE KEY", pkcs8));

    public string Path(string name) => System.IO.Path.Combine(_folder, name);

    public byte[] Read(string name) => System.IO.File.ReadAllBytes(Path(name));

    /// <summary>Runs openssl; returns its standard output, or throws with its standard error when it exits non-zero.</summary>
    public string Run(params string[] arguments)
    {
        var (exitCode, output, error) = Try(arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} exited {exitCode}: {error}{output}");
        }

        return output;
    }

    /// <summary>Runs openssl and returns its exit code with its output, for checks that expect a refusal.</summary>
    public (int ExitCode, string Output, string Error) Try(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string TextFile(string name, string text)
    {
        var path = Path(name);
        System.IO.File.WriteAllText(path, text, Encoding.ASCII);
        return path;
    }

    private static string Pem(string label, byte[] der) => new string(System.Security.Cryptography.PemEncoding.Write(label, der)) + "\n";
}
