using Coffer.Crypto;

namespace Coffer.Cli;

/// <summary>Prints the shares init and rekey hand out, from their secret buffers straight to standard output, never through a string.</summary>
internal static class ShareOutput
{
    public static void Print(IReadOnlyList<SecretBytes> shares)
    {
        using var stdout = Console.OpenStandardOutput();
        for (var i = 0; i < shares.Count; i++)
        {
            Console.Out.Write($"Share {i + 1}: ");
            Console.Out.Flush();
            stdout.Write(shares[i].Span);
            stdout.Flush();
            Console.Out.WriteLine();
        }
    }
}
