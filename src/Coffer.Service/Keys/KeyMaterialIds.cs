using Coffer.Core;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// The KeyMaterialId of a symmetric key's material versions, as DescribeKey, Decrypt,
/// GenerateDataKey*, ReEncrypt and ListKeyRotations return it. Asymmetric and HMAC keys have one
/// material and AWS names none for them.
/// </summary>
public static class KeyMaterialIds
{
    /// <summary>Generated material's id comes from the key and version; imported material's from the material itself (see <see cref="KeyImporter"/>).</summary>
    public static string? Of(KmsKey key, int version) =>
        key.Origin == KeyOrigins.External ? key.ImportedMaterialId : KeyMaterialId.ForGenerated(key.KeyId, version);

    /// <summary>The current material's id, for a symmetric key; null for any other.</summary>
    public static string? Current(KmsKey key) => key.KeySpec == KeySpecs.SymmetricDefault ? Of(key, key.CurrentMaterialVersion) : null;

    /// <summary>
    /// The id of the material a symmetric ciphertext was made with; null for an asymmetric key's
    /// ciphertext. Only an imported key's older material needs the store: its id is the material's own.
    /// </summary>
    public static async ValueTask<string?> OfCiphertextAsync(ICofferStore store, KmsKey key, byte[] blob, CancellationToken cancellationToken)
    {
        if (key.KeySpec != KeySpecs.SymmetricDefault || !SymmetricCiphertext.TryReadHeader(blob, out _, out var version))
        {
            return null;
        }

        if (key.Origin != KeyOrigins.External || version == key.CurrentMaterialVersion)
        {
            return Of(key, version);
        }

        var versions = await store.ListMaterialVersionsAsync(key.KeyId, version - 1, 1, cancellationToken);
        return versions.Count == 1 ? versions[0].Imported?.MaterialId : null;
    }
}
