namespace Coffer.Server;

/// <summary>
/// Writes a file of the data folder readable and writable by its owner only, whatever the umask,
/// including when an earlier version left it wider.
/// </summary>
internal static class OwnerOnlyFile
{
    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static async Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = ReadWrite };
        await using var stream = new FileStream(path, options);

        // UnixCreateMode applies only to a file that did not exist yet: narrow an older one before writing.
        File.SetUnixFileMode(stream.SafeFileHandle, ReadWrite);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(text.AsMemory(), cancellationToken);
    }
}
