using System.Text.Json;
using Coffer.Storage;

namespace Coffer.Server;

/// <summary>Which seal a data folder was initialised with, stored in the clear (it is not secret).</summary>
public sealed record SealConfig(string Kind, int Shares = 0, int Threshold = 0, string? Pkcs11Library = null, string? Pkcs11Token = null, string? Pkcs11Key = null)
{
    public const string Pkcs11Kind = "pkcs11";
    public const string Setting = "seal-config.v1";
    public const string ShareFingerprints = "seal-share-fingerprints.v1";
    public const string Dev = "dev";
    public const string ShamirKind = "shamir";

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
