using System.Text;
using Coffer.Cli;
using CsCheck;

namespace Coffer.Fuzz.Tests;

/// <summary>
/// The server's configuration file (TOML or JSON): whatever it holds, it is read or refused with a
/// <see cref="FormatException"/>, which the CLI reports in one line with exit code 2, never a crash.
/// </summary>
public class ConfigFileProperties
{
    private static readonly byte[][] TomlSeeds =
    [
        .. new[]
        {
            "data-dir = \"/var/lib/coffer\"\nlisten = \"0.0.0.0:8443\"\nregion = [\"eu-west-1\", \"us-east-1\"]\naudit-digest-interval = 60\ninsecure-http = false\n",
            "[table]\nkey = 1979-05-27T07:32:00Z\nnested = { a = 1, b = [1, 2.5, \"x\"] }\n'literal' = '''multi\nline'''\n",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    private static readonly byte[][] JsonSeeds =
    [
        .. new[]
        {
            """{"data-dir":"/var/lib/coffer","listen":"0.0.0.0:8443","region":["eu-west-1"],"audit-digest-interval":60,"insecure-http":false}""",
            """{"a":{"b":[1,{"c":null}]},"d":"\ud800","e":1e309}""",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    [Fact]
    public void Any_TOML_file_is_read_or_refused_with_a_format_error() => Check(Fuzz.Mutations(TomlSeeds), json: false);

    [Fact]
    public void Any_JSON_file_is_read_or_refused_with_a_format_error() => Check(Fuzz.Mutations(JsonSeeds), json: true);

    private static void Check(Gen<byte[]> gen, bool json) => Fuzz.Run(gen, bytes =>
    {
        try
        {
            var values = ServerSettings.ParseFile(Encoding.UTF8.GetString(bytes), json);
            Assert.All(values, p => Assert.NotNull(p.Value));
        }
        catch (FormatException)
        {
        }
    }, fixedRun: 4000, print: b => Encoding.UTF8.GetString(b));
}
