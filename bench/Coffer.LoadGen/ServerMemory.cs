using System.Globalization;

namespace Coffer.LoadGen;

/// <summary>The resident set (VmRSS) and thread count of the server process, read from /proc.</summary>
internal static class ServerMemory
{
    /// <summary>Kibibytes, or null without a pid or once the process is gone.</summary>
    public static long? ResidentKiB(int? pid) => Field(pid, "VmRSS:");

    /// <summary>
    /// A number field of /proc/PID/status ("VmRSS:", "Threads:"): a thread pool that grows under a
    /// starved machine adds stacks to the resident set, which is not a leak.
    /// </summary>
    public static long? Field(int? pid, string name)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
