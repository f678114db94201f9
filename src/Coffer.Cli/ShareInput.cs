using Coffer.Crypto;

namespace Coffer.Cli;

/// <summary>
/// Reads unseal shares from standard input or a hidden prompt as bytes into pinned buffers, never
/// as strings: a string can be neither zeroed nor kept from being copied by the GC. Each share is
/// returned as a <see cref="SecretBytes"/> the caller disposes.
/// </summary>
internal static class ShareInput
{
    // A share is about 70 characters; these bounds only stop a runaway input.
    private const int MaxLine = 4096;
    private const int MaxInput = 64 * 1024;

    /// <summary>One share: the first line of standard input, or typed at a prompt without echo. Null when none was given.</summary>
    public static SecretBytes? ReadOne() => Console.IsInputRedirected ? ReadFirstLine() : Prompt();

    /// <summary>
    /// <see cref="ReadAll"/> for a command: on input that is not shares it prints the one error
    /// line and returns false, so the command exits with <see cref="ExitCodes.Failure"/>.
    /// </summary>
    public static bool TryReadAll(out List<SecretBytes> shares)
    {
        try
        {
            shares = ReadAll();
            return true;
        }
        catch (FormatException error)
        {
            Console.Error.WriteLine($"coffer: {error.Message}");
            shares = [];
            return false;
        }
    }

    /// <summary>Every non-empty line of standard input (nothing when it is a terminal).</summary>
    public static List<SecretBytes> ReadAll()
    {
        var shares = new List<SecretBytes>();
        if (!Console.IsInputRedirected)
        {
            return shares;
        }

        var buffer = GC.AllocateArray<byte>(MaxInput + 1, pinned: true);
        try
        {
            using var stdin = Console.OpenStandardInput();
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stdin.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            if (length > MaxInput)
            {
                throw new FormatException($"standard input holds more than {MaxInput / 1024} KiB; give one share per line.");
            }

            ReadOnlySpan<byte> input = buffer.AsSpan(0, length);
            foreach (var range in input.Split((byte)'\n'))
            {
                var line = Trim(input[range]);
                if (!line.IsEmpty)
                {
                    shares.Add(SecretBytes.CopyOf(line));
                }
            }

            return shares;
        }
        catch
        {
            foreach (var share in shares)
            {
                share.Dispose();
            }

            throw;
        }
        finally
        {
            SecretBytes.Zero(buffer);
        }
    }

    private static SecretBytes? ReadFirstLine()
    {
        var buffer = GC.AllocateArray<byte>(MaxLine, pinned: true);
        try
        {
            // Byte by byte, so nothing past the first line is consumed (or left in a reader's buffer).
            using var stdin = Console.OpenStandardInput();
            var length = 0;
            int next;
            while ((next = stdin.ReadByte()) >= 0 && next != '\n')
            {
                if (length == MaxLine)
                {
                    throw new FormatException("the first line of standard input is too long to be a share.");
                }

                buffer[length++] = (byte)next;
            }

            var line = Trim(buffer.AsSpan(0, length));
            return line.IsEmpty ? null : SecretBytes.CopyOf(line);
        }
        finally
        {
            SecretBytes.Zero(buffer);
        }
    }

    private static SecretBytes? Prompt()
    {
        Console.Error.Write("Unseal share (input hidden): ");
        var buffer = GC.AllocateArray<byte>(MaxLine, pinned: true);
        try
        {
            var length = 0;
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    Console.Error.WriteLine();
                    var line = Trim(buffer.AsSpan(0, length));
                    return line.IsEmpty ? null : SecretBytes.CopyOf(line);
                }

                if (key.Key == ConsoleKey.Backspace && length > 0)
                {
                    buffer[--length] = 0;
                }
                else if (!char.IsControl(key.KeyChar) && length < MaxLine)
                {
                    // Shares are ASCII; anything else is kept as '?' so the share is refused rather than silently changed.
                    buffer[length++] = key.KeyChar < 0x80 ? (byte)key.KeyChar : (byte)'?';
                }
            }
        }
        finally
        {
            SecretBytes.Zero(buffer);
        }
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8);
}
