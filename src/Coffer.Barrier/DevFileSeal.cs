using Coffer.Crypto;

namespace Coffer.Barrier;

/// <summary>
/// The <c>dev</c> seal: a 256-bit root key in a file beside the data, readable only by its owner.
/// Whoever copies the data folder also copies this key, so it is for development only.
/// </summary>
public sealed class DevFileSeal : ISeal
{
    public const string FileName = "dev-root.key";

    private readonly SecretBytes _rootKey;

    private DevFileSeal(SecretBytes rootKey) => _rootKey = rootKey;

    public string Kind => "dev";

    /// <summary>Opens the root key file in <paramref name="dataDir"/>, creating it on first use.</summary>
    public static DevFileSeal OpenOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path))
        {
            CreateKeyFile(path);
        }
        else
        {
            // A key file made before the modes were enforced may be wider than its owner's.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var bytes = File.ReadAllBytes(path);
        try
        {
            if (bytes.Length != RootKeyWrap.KeySize)
            {
                throw new SealException($"The dev root key file {path} is damaged: expected {RootKeyWrap.KeySize} bytes.");
            }

            return new DevFileSeal(SecretBytes.CopyOf(bytes));
        }
        finally
        {
            SecretBytes.Zero(bytes);
        }
    }

    /// <summary>
    /// Writes a fresh key to a file of its own, flushed, then links it into place only if no key is
    /// there yet: two dev nodes starting together on one data folder both end up reading the one key
    /// that won, never a half-written file.
    /// </summary>
    private static void CreateKeyFile(string path)
    {
        var staging = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var fresh = SecretBytes.Random(RootKeyWrap.KeySize))
            {
                var options = new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                };
                using var stream = new FileStream(staging, options);
                stream.Write(fresh.Span);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(staging, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node made the key first: use that one.
            }
        }
        finally
        {
            File.Delete(staging);
        }
    }

    public byte[] WrapDomainKey(SecretBytes domainKey) => RootKeyWrap.Wrap(_rootKey, domainKey);

    public SecretBytes UnwrapDomainKey(ReadOnlySpan<byte> wrapped) => RootKeyInMemory.Unwrap(_rootKey, wrapped, "The domain key was not wrapped by this root key.");

    public void Dispose() => _rootKey.Dispose();
}
