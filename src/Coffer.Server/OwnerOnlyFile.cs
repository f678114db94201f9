namespace Coffer.Server;

/// <summary>
/// Writes a file of the data folder readable and writable by its owner only, whatever the umask,
/// including when an earlier version left it wider. The text goes to a file of its own first and is
/// renamed into place, so two nodes sharing a data folder that write the file at once leave one
/// whole version of it, never a mix of both.
/// </summary>
internal static class OwnerOnlyFile
{
    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static async Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        var staging = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = ReadWrite };
            await using (var stream = new FileStream(staging, options))
            {
                // UnixCreateMode is masked by the umask: set the mode itself before writing.
                File.SetUnixFileMode(stream.SafeFileHandle, ReadWrite);
                await using var writer = new StreamWriter(stream);
                await writer.WriteAsync(text.AsMemory(), cancellationToken);
            }

            File.Move(staging, path, overwrite: true);
        }
        finally
        {
            File.Delete(staging);
        }
    }
}
