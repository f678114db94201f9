using System.Text.Json;
using Coffer.Storage;

namespace Coffer.Barrier;

/// <summary>Which seal a data folder was initialised with, stored in the clear (it is not secret).</summary>
public sealed record SealConfig(string Kind, int Shares = 0, int Threshold = 0, string? Pkcs11Library = null, string? Pkcs11Token = null, string? Pkcs11Key = null)
{
    public const string Pkcs11Kind = "pkcs11";
    public const string Setting = "seal-config.v1";
    public const string ShareFingerprints = "seal-share-fingerprints.v1";
    public const string Dev = "dev";
    public const string ShamirKind = "shamir";

    /// <summary>The configuration of a data folder sealed by <paramref name="hsm"/>'s key (its PIN is never recorded).</summary>
    public static SealConfig ForHsm(HsmKey hsm) =>
        new(Pkcs11Kind, Pkcs11Library: NormalizeLibraryPath(hsm.Library), Pkcs11Token: hsm.Token, Pkcs11Key: hsm.Key);

    public static async Task<SealConfig?> ReadAsync(ICofferStore store, CancellationToken cancellationToken)
    {
        var bytes = await store.GetSettingAsync(Setting, cancellationToken);
        if (bytes is null)
        {
            return null;
        }

        var root = JsonDocument.Parse(bytes).RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var value) ? value.GetString() : null;
        return new SealConfig(root.GetProperty("kind").GetString()!, root.GetProperty("shares").GetInt32(), root.GetProperty("threshold").GetInt32(),
            Text("pkcs11Library"), Text("pkcs11Token"), Text("pkcs11Key"));
    }

    /// <summary>
    /// The PKCS#11 library to load for this data folder: the one the operator's own configuration
    /// names, and only when it is the one recorded at init. The record alone is never loaded, since
    /// whoever can write the data folder could point it at a library of their choosing and be handed
    /// the PIN. <paramref name="setting"/> names where the operator sets it, for the error.
    /// </summary>
    public string TrustedPkcs11Library(string? configured, string setting)
    {
        if (string.IsNullOrEmpty(configured))
        {
            // The recorded path is not suggested here: copying it from the message would defeat the check.
            throw new InvalidOperationException($"This data folder is sealed by an HSM: give its PKCS#11 library with {setting}, the one given to 'coffer init'.");
        }

        var library = NormalizeLibraryPath(configured);
        if (Pkcs11Library is null || !string.Equals(library, NormalizeLibraryPath(Pkcs11Library), StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The PKCS#11 library {library} ({setting}) is not the one this data folder records ({Pkcs11Library ?? "none"}); refusing to load either.");
        }

        return library;
    }

    /// <summary>A library path as recorded and compared: absolute when it names a file, as given when it is a bare name the loader searches for.</summary>
    public static string NormalizeLibraryPath(string library) => library.Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(library) : library;

    public Task<bool> WriteAsync(ICofferStore store, CancellationToken cancellationToken) =>
        store.TryInsertSettingAsync(Setting, ToBytes(), cancellationToken).AsTask();

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["kind"] = Kind,
            ["shares"] = Shares,
            ["threshold"] = Threshold,
            ["pkcs11Library"] = Pkcs11Library,
            ["pkcs11Token"] = Pkcs11Token,
            ["pkcs11Key"] = Pkcs11Key,
        });
}
