namespace Coffer.Cli;

/// <summary>The HSM PIN: from a file or the environment, never from the command line where any user could read it.</summary>
internal static class Pin
{
    public const string Variable = "COFFER_PKCS11_PIN";

    public static string? Read(string? file) =>
        file is not null ? File.ReadAllText(file).Trim() : Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } pin ? pin : null;
}
