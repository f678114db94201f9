using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tomlyn;
using Tomlyn.Model;

namespace Coffer.Cli;

/// <summary>
/// Where <c>coffer server</c> takes each setting from, first found wins: the command-line flag,
/// the environment (<c>--tls-cert</c> → <c>COFFER_TLS_CERT</c>; lists comma-separated), the
/// configuration file (<c>--config</c>, TOML or JSON, keys named like the flags without dashes in
/// front: <c>tls-cert = "…"</c>), then the default.
/// </summary>
internal sealed class ServerSettings
{
    private readonly ParseResult _result;
    private readonly Dictionary<string, string[]> _file;

    private ServerSettings(ParseResult result, Dictionary<string, string[]> file)
    {
        _result = result;
        _file = file;
    }

    /// <summary>Reads the configuration file, if any; throws <see cref="FormatException"/> for one that cannot be read.</summary>
    public static ServerSettings Load(ParseResult result, string? configPath)
    {
        if (configPath is null)
        {
            return new ServerSettings(result, []);
        }

        var text = File.ReadAllText(configPath);
        return new ServerSettings(result, ParseFile(text, json: configPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The settings a configuration file's text holds; throws <see cref="FormatException"/>, and only that, for any text it cannot read.</summary>
    internal static Dictionary<string, string[]> ParseFile(string text, bool json)
    {
        try
        {
            return json ? FromJson(text) : FromToml(text);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, a root that is not an object, a duplicate key, a string no UTF-16 can hold.
            throw new FormatException(error.Message, error);
        }
    }

    public string? Text(Option option) => Values(option).FirstOrDefault();

    public string[] Values(Option option)
    {
        if (_result.GetResult(option) is { Implicit: false } given)
        {
            return given.Tokens.Select(t => t.Value).ToArray() is { Length: > 0 } tokens ? tokens : ["true"];
        }

        var name = option.Name.TrimStart('-');
        if (Environment.GetEnvironmentVariable("COFFER_" + name.Replace('-', '_').ToUpperInvariant()) is { Length: > 0 } env)
        {
            return env.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return _file.TryGetValue(name, out var values) ? values : [];
    }

    public bool Flag(Option<bool> option) => Text(option) is { } value ? bool.Parse(value) : false;

    public int? Number(Option option) => Text(option) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    private static Dictionary<string, string[]> FromJson(string text)
    {
        var values = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var property in JsonDocument.Parse(text).RootElement.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind == JsonValueKind.Array
                ? property.Value.EnumerateArray().Select(Scalar).ToArray()
                : [Scalar(property.Value)];
        }

        return values;

        static string Scalar(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
    }

    private static Dictionary<string, string[]> FromToml(string text)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text, (TomlSerializerOptions?)null)!;
        }
        catch (TomlException error)
        {
            throw new FormatException(error.Message);
        }

        return table.ToDictionary(p => p.Key, p => p.Value is TomlArray array
            ? array.Select(v => Scalar(v!)).ToArray()
            : [Scalar(p.Value)], StringComparer.Ordinal);

        static string Scalar(object value) => value switch
        {
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }
}
