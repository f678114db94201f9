using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Import;

/// <summary>
/// Whether unwrapped bytes are key material a key of a given spec can take (ImportKeyMaterial's
/// IncorrectKeyMaterialException when not). The public key of imported asymmetric material comes
/// from <see cref="KeyMaterial.PublicKey"/>, as for generated material. Thread-safe: it holds no state.
/// </summary>
public static class ImportedMaterial
{
    private const string SymmetricDefault = "SYMMETRIC_DEFAULT";

    // AES-256; AWS's 128-bit symmetric material exists only in its China regions.
    private const int SymmetricKeyBytes = 32;

    /// <summary>
    /// Whether <paramref name="material"/> is acceptable for <paramref name="keySpec"/>:
    /// SYMMETRIC_DEFAULT takes exactly 32 bytes; an HMAC spec exactly its hash's output length
    /// (HMAC_224 28, HMAC_256 32, HMAC_384 48, HMAC_512 64), the length Coffer generates; an
    /// asymmetric spec one whole DER PKCS#8 private key of exactly that spec (modulus size, named
    /// curve, ML-DSA parameter set) whose signatures verify under its own public key.
    /// </summary>
    /// <exception cref="ArgumentException">Not a key spec Coffer knows: the caller's bug, not the material's.</exception>
    public static bool IsValidFor(string keySpec, ReadOnlySpan<byte> material)
    {
        if (keySpec == SymmetricDefault)
        {
            return material.Length == SymmetricKeyBytes;
        }

        var spec = KeySpec.Of(keySpec);
        return spec.Family == KeyFamily.Hmac
            ? material.Length == spec.Size
            : KeyMaterial.IsPrivateKeyOf(keySpec, material) && SignsConsistently(keySpec, material);
    }

    /// <summary>
    /// A pairwise consistency test, as FIPS 140-3 asks of imported key pairs. The parsers already
    /// refuse the inconsistent keys the tests try (an RSA key with another key's modulus); this is
    /// the last word on the forms nobody checks for us, for the price of one signature per import.
    /// Every asymmetric spec signs, so one signature and its check cover them all.
    /// </summary>
    private static bool SignsConsistently(string keySpec, ReadOnlySpan<byte> material)
    {
        var algorithm = Signer.Algorithms(keySpec)[0];
        ReadOnlySpan<byte> message = "coffer:imported-key-pairwise-check:v1"u8;
        using var key = SecretBytes.CopyOf(material);
        try
        {
            var signature = Signer.Sign(keySpec, key, algorithm, "RAW", message);
            return Signer.Verify(keySpec, key, algorithm, "RAW", message, signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
