using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto.Import;

/// <summary>The KeyMaterialId of imported key material. Thread-safe: it holds no state.</summary>
public static class ImportedMaterialId
{
    /// <summary>
    /// 64 lowercase hex characters: HMAC-SHA256 keyed with the UTF-8 key id, over the material.
    /// </summary>
    /// <remarks>
    /// AWS derives the id of imported material "based on the KMS key ID and the key material", so it
    /// must be a function of both and nothing else: importing the same material into the same key
    /// again (after expiry or DeleteImportedKeyMaterial) has to give the id the key already knows,
    /// which is how a re-import is recognised, while the same material in another key gets another
    /// id. Nothing random or stored goes in, so no state is needed to recompute it. The id is public;
    /// it reveals no more about the material than a hash does, which for key material (at least 28
    /// random bytes) is nothing usable. The key id as HMAC key keeps it apart from the ids Coffer
    /// gives generated material, which hash the key id with a version instead.
    /// </remarks>
    public static string Of(string keyId, ReadOnlySpan<byte> material)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(keyId), material, mac);
        return Convert.ToHexStringLower(mac);
    }
}
