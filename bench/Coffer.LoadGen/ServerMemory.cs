using System.Globalization;

namespace Coffer.LoadGen;

/// <summary>The resident set (VmRSS) of the server process, read from /proc.</summary>
internal static class ServerMemory
{
    /// <summary>Kibibytes, or null without a pid or once the process is gone.</summary>
    public static long? ResidentKiB(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
