using System.CommandLine;
using Coffer.Crypto;

namespace Coffer.Cli;

/// <summary>
/// Where <c>backup</c> and <c>restore</c> get the backup key: <c>--key-file FILE</c> (made by
/// <c>backup --new-key-file</c>, owner-only) or <c>--passphrase</c>, read from
/// <c>COFFER_BACKUP_PASSPHRASE</c> or standard input, never from the command line.
/// </summary>
internal static class BackupKeyFlag
{
    public const string PassphraseVariable = "COFFER_BACKUP_PASSPHRASE";
    private const int MinPassphraseLength = 16;

    public sealed record Options(Option<string?> KeyFile, Option<bool> Passphrase);

    public static Options Create() => new(
        new Option<string?>("--key-file")
        {
            Description = "The backup key file (base64 of 32 random bytes). Keep it apart from the backups: whoever has both reads the store's policies, principals and audit trail",
            HelpName = "FILE",
        },
        new Option<bool>("--passphrase")
        {
            Description = $"Use a passphrase instead of a key file, from {PassphraseVariable} or else one line of standard input (stretched with PBKDF2-SHA256, "
                + $"{BackupKey.PassphraseIterations} iterations; at least {MinPassphraseLength} characters)",
        });

    /// <summary>Makes <paramref name="command"/> require exactly one of the two.</summary>
    public static void Validate(Command command, Options options) => command.Validators.Add(result =>
    {
        if ((result.GetValue(options.KeyFile) is null) == !result.GetValue(options.Passphrase))
        {
            result.AddError("Give the backup key with exactly one of --key-file FILE and --passphrase.");
        }
    });

    /// <summary>Makes a new key file, owner-only; refuses to replace one, which would lose the backups made with it.</summary>
    public static BackupKey Create(string path)
    {
        var key = BackupKey.NewKeyFile();
        try
        {
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            using var writer = new StreamWriter(stream);
            writer.Write(key.ToKeyFileText());
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            key.Dispose();
            throw new IOException($"{path} exists already; --new-key-file never replaces a key (backups made with it would be lost).");
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The key the options name; an <see cref="IOException"/> says why there is none.</summary>
    public static BackupKey Read(ParseResult result, Options options)
    {
        if (result.GetValue(options.KeyFile) is { } path)
        {
            return BackupKey.FromKeyFileText(File.ReadAllText(path))
                ?? throw new IOException($"{path} is not a backup key file (one line of base64 holding 32 bytes).");
        }

        var passphrase = Environment.GetEnvironmentVariable(PassphraseVariable) is { Length: > 0 } fromEnv
            ? fromEnv
            : Console.IsInputRedirected ? Console.In.ReadLine() : ReadHidden();
        if (passphrase is null || passphrase.Length < MinPassphraseLength)
        {
            throw new IOException($"The passphrase must have at least {MinPassphraseLength} characters ({PassphraseVariable}, or one line of standard input).");
        }

        return BackupKey.FromPassphrase(passphrase);
    }

    private static string ReadHidden()
    {
        Console.Error.Write("Backup passphrase: ");
        var text = new System.Text.StringBuilder();
        while (Console.ReadKey(intercept: true) is { Key: not ConsoleKey.Enter } key)
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
