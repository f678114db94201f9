using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto;

/// <summary>
/// The KeyMaterialId AWS returns for each material version: 64 lowercase hex characters.
/// </summary>
public static class KeyMaterialId
{
    /// <summary>
    /// The id of material Coffer generated itself: a hash of the key id and the version. It needs
    /// no access to the material, so Decrypt and GenerateDataKey can return it without opening
    /// anything, and it is unique to the key version.
    /// </summary>
    public static string ForGenerated(string keyId, int version) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"coffer/key-material-id/v1\n{keyId}\n{version}")));
}
