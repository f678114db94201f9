using System.CommandLine;
using Coffer.Server;

namespace Coffer.Cli;

/// <summary>
/// <c>--storage</c>, defined once for <c>server</c> and every command that reads a store, so they
/// agree on the engine names, the default and the error for an engine this build does not have.
/// </summary>
internal static class StorageFlag
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--storage")
        {
            Description = $"The storage engine: {string.Join(", ", StorageOptions.Engines)} (files in the data folder)",
            HelpName = "ENGINE",
            DefaultValueFactory = _ => StorageOptions.Sqlite,
        };
        option.Validators.Add(result =>
        {
            if (Problem(result.GetValueOrDefault<string>()) is { } problem)
            {
                result.AddError(problem);
            }
        });
        return option;
    }

    /// <summary>The usage error for <paramref name="engine"/>, or null when this build can open it.</summary>
    public static string? Problem(string? engine) => StorageOptions.Unknown(engine) is { } why ? $"--storage: {why}" : null;

    /// <summary>The storage a command was pointed at, its data folder made absolute.</summary>
    public static StorageOptions Read(ParseResult result, Option<string> storage, Option<string> dataDir) => new()
    {
        Engine = result.GetValue(storage)!,
        DataDir = Path.GetFullPath(result.GetValue(dataDir)!),
    };
}
