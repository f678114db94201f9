namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>What a server's data folder holds on disk, read as an attacker with a copy of it would.</summary>
public static class StoreFiles
{
    /// <summary>The sealed bytes of a key's first material version, straight from the database file.</summary>
    public static byte[] SealedMaterialOf(TestCoffer server, string keyId)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.Options.DataDir, "coffer.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var read = db.CreateCommand();
        read.CommandText = "SELECT sealed FROM key_material WHERE key_id = $id ORDER BY version LIMIT 1";
        read.Parameters.AddWithValue("$id", keyId);
        return (byte[])read.ExecuteScalar()!;
    }

    /// <summary>Whether any of the store's files (the database, its WAL and shared memory) holds <paramref name="probe"/>.</summary>
    public static bool Contains(TestCoffer server, byte[] probe) =>
        Directory.EnumerateFiles(server.Options.DataDir, "coffer.db*").Any(file => ReadShared(file).AsSpan().IndexOf(probe) >= 0);

    private static byte[] ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
