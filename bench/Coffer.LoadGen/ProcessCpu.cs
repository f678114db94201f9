using System.Diagnostics;
using System.Globalization;

namespace Coffer.LoadGen;

/// <summary>
/// CPU time a process has used (user and system), read from /proc/PID/stat. CPU per request is the
/// steadiest figure on a shared machine: another engineer's build slows a run down, but barely
/// changes what each request costs the server.
/// </summary>
internal static class ProcessCpu
{
    // USER_HZ: the unit of /proc/PID/stat's times, 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>The process's CPU time so far, or null without a pid or once it is gone.</summary>
    public static TimeSpan? Used(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The generator's own CPU time so far.</summary>
    public static TimeSpan Own()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
