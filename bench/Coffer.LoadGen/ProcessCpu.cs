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
            return Used($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>User and system time from a process's or a thread's stat file.</summary>
    private static TimeSpan Used(string statFile)
    {
        // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
        var stat = File.ReadAllText(statFile);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>
    /// CPU time so far of the process's threads whose names start with <paramref name="prefix"/>,
    /// by name: Coffer's audit threads ("audit writer", "audit flush", "audit checkpoint", which
    /// the kernel cuts to 15 characters) live as long as the server, so the difference between two
    /// readings is what they used meanwhile. Empty without a pid or once it is gone.
    /// </summary>
    public static Dictionary<string, TimeSpan> UsedByThread(int? pid, string prefix)
    {
        var used = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (pid is null)
        {
            return used;
        }

        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                    if (name.StartsWith(prefix, StringComparison.Ordinal) && Used(Path.Combine(task, "stat")) is { } time)
                    {
                        used[name] = used.GetValueOrDefault(name) + time;
                    }
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read.
                }
            }
        }
        catch (IOException)
        {
        }

        return used;
    }

    /// <summary>The generator's own CPU time so far.</summary>
    public static TimeSpan Own()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
