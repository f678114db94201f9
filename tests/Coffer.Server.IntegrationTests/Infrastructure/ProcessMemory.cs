using Microsoft.Win32.SafeHandles;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// Reads a live process's writable memory through <c>/proc/PID/mem</c>, as anyone able to attach
/// to it could, so tests can check that a secret left no copy behind. The test process is the
/// server's parent, which Linux lets read its child's memory.
/// </summary>
public static class ProcessMemory
{
    private const int Chunk = 4 * 1024 * 1024;

    public static bool Contains(int pid, ReadOnlySpan<byte> pattern)
    {
        using var handle = File.OpenHandle($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read);
        var buffer = new byte[Chunk + pattern.Length];
        foreach (var line in File.ReadAllLines($"/proc/{pid}/maps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!fields[1].StartsWith("rw", StringComparison.Ordinal))
            {
                continue;
            }

            var range = fields[0].Split('-');
            var start = Convert.ToInt64(range[0], 16);
            var end = Convert.ToInt64(range[1], 16);
            if (RegionContains(handle, start, end, pattern, buffer))
            {
                return true;
            }
        }

        return false;
    }

    private static bool RegionContains(SafeFileHandle handle, long start, long end, ReadOnlySpan<byte> pattern, byte[] buffer)
    {
        // Chunks overlap by the pattern's length so a match across a chunk boundary is still seen.
        for (var offset = start; offset < end; offset += Chunk)
        {
            var length = (int)Math.Min(buffer.Length, end - offset);
            int read;
            try
            {
                read = RandomAccess.Read(handle, buffer.AsSpan(0, length), offset);
            }
            catch (IOException)
            {
                // Guard pages and device mappings cannot be read; nothing of the heap lives there.
                return false;
            }

            if (buffer.AsSpan(0, read).IndexOf(pattern) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
