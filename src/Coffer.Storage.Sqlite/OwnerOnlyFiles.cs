namespace Coffer.Storage.Sqlite;

/// <summary>
/// SQLite makes its files with whatever mode the umask leaves (often world-readable), and gives the
/// <c>-wal</c> and <c>-shm</c> files the mode of their database. The stores hold sealed secrets and
/// metadata that are no other local user's business, so each database is created, or narrowed, to
/// owner read/write before SQLite opens it; its companions then inherit that.
/// </summary>
internal static class OwnerOnlyFiles
{
    public const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly string[] Companions = ["", "-wal", "-shm", "-journal"];

    public static void Prepare(string databasePath)
    {
        if (databasePath.Length == 0 || databasePath == ":memory:" || databasePath.StartsWith("file:", StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            using var created = new FileStream(databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = ReadWrite });
        }
        catch (IOException) when (File.Exists(databasePath))
        {
            // It exists already (an earlier start, or another opener got here first): narrow it below.
        }

        foreach (var suffix in Companions)
        {
            var path = databasePath + suffix;
            try
            {
                if (File.Exists(path) && File.GetUnixFileMode(path) != ReadWrite)
                {
                    File.SetUnixFileMode(path, ReadWrite);
                }
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's folder opened read-only (an auditor verifying a copy): not ours to change.
            }
        }
    }
}
