using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Import;

/// <summary>
/// The wrapping side of AWS KMS key import: the wrapping key pair GetParametersForImport hands out,
/// which wrapping algorithms go with which wrapping key spec, and the unwrapping ImportKeyMaterial
/// does. Names are AWS's WrappingKeySpec and AlgorithmSpec. Thread-safe: it holds no state.
/// </summary>
/// <remarks>
/// RSAES_PKCS1_V1_5 is refused everywhere: AWS stopped accepting it on 10 October 2023, and its
/// padding oracle is the reason. RSA_AES_KEY_WRAP_SHA_1 and _SHA_256 are RSA-OAEP of a 256-bit AES
/// key followed by the key material under AES Key Wrap with Padding (RFC 5649), which .NET 10 has
/// natively (<see cref="Aes.DecryptKeyWrapPadded(ReadOnlySpan{byte}, Span{byte})"/>), so no BouncyCastle here.
/// </remarks>
public static class ImportWrapping
{
    /// <summary>The API model's limit on ImportKeyMaterial's EncryptedKeyMaterial; anything longer is refused unread.</summary>
    public const int MaxEncryptedKeyMaterialBytes = 6144;

    // AWS: "a 256-bit AES symmetric key" for both RSA_AES_KEY_WRAP algorithms; AES-128 and -192 keys are refused.
    private const int AesKeyBytes = 32;

    // RFC 5649 output is whole 8-byte blocks, and at least two: the integrity check and one block of key.
    private const int KeyWrapBlock = 8;
    private const int KeyWrapMinimum = 2 * KeyWrapBlock;

    /// <summary>The WrappingKeySpec values: RSA_2048, RSA_3072, RSA_4096 and SM2 (AWS's China regions only, but Coffer has no regions).</summary>
    public static IReadOnlyList<string> WrappingKeySpecs { get; } = ["RSA_2048", "RSA_3072", "RSA_4096", "SM2"];

    /// <summary>A fresh wrapping key pair of <paramref name="wrappingKeySpec"/>, made like any key of that spec.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="WrappingKeySpecs"/>.</exception>
    public static WrappingKeyPair Generate(string wrappingKeySpec)
    {
        if (!WrappingKeySpecs.Contains(wrappingKeySpec))
        {
            throw new ArgumentException($"{wrappingKeySpec} is not a wrapping key spec.", nameof(wrappingKeySpec));
        }

        var privateKey = KeyMaterial.Generate(wrappingKeySpec);
        try
        {
            return new WrappingKeyPair(KeyMaterial.PublicKey(wrappingKeySpec, privateKey), privateKey);
        }
        catch
        {
            privateKey.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether AWS pairs <paramref name="wrappingAlgorithm"/> with <paramref name="wrappingKeySpec"/>:
    /// the two RSAES_OAEP and two RSA_AES_KEY_WRAP algorithms with the RSA specs, SM2PKE with SM2.
    /// False for any name it does not know, RSAES_PKCS1_V1_5 included.
    /// </summary>
    public static bool IsAllowed(string wrappingAlgorithm, string wrappingKeySpec) => wrappingKeySpec switch
    {
        "RSA_2048" or "RSA_3072" or "RSA_4096" =>
            wrappingAlgorithm is "RSAES_OAEP_SHA_1" or "RSAES_OAEP_SHA_256" or "RSA_AES_KEY_WRAP_SHA_1" or "RSA_AES_KEY_WRAP_SHA_256",
        "SM2" => wrappingAlgorithm == "SM2PKE",
        _ => false,
    };

    /// <summary>
    /// The plaintext key material in <paramref name="encryptedKeyMaterial"/>, or null when it does not
    /// unwrap under this wrapping key and algorithm (AWS: InvalidCiphertextException). Any input
    /// bytes give one or the other, never an exception, and the work is bounded by
    /// <see cref="MaxEncryptedKeyMaterialBytes"/>. A combination <see cref="IsAllowed"/> refuses gives null.
    /// The result is not checked against any key spec: <see cref="ImportedMaterial.IsValidFor"/> does that.
    /// </summary>
    /// <exception cref="CryptographicException">
    /// <paramref name="wrappingPrivateKeyPkcs8"/> is not a key of <paramref name="wrappingKeySpec"/>: a
    /// fault in what Coffer stored, not in the request.
    /// </exception>
    public static SecretBytes? Unwrap(string wrappingAlgorithm, string wrappingKeySpec, SecretBytes wrappingPrivateKeyPkcs8, ReadOnlySpan<byte> encryptedKeyMaterial)
    {
        if (!IsAllowed(wrappingAlgorithm, wrappingKeySpec) || encryptedKeyMaterial.Length > MaxEncryptedKeyMaterialBytes)
        {
            return null;
        }

        return wrappingAlgorithm switch
        {
            "RSA_AES_KEY_WRAP_SHA_1" => UnwrapRsaAes(wrappingKeySpec, wrappingPrivateKeyPkcs8, "RSAES_OAEP_SHA_1", encryptedKeyMaterial),
            "RSA_AES_KEY_WRAP_SHA_256" => UnwrapRsaAes(wrappingKeySpec, wrappingPrivateKeyPkcs8, "RSAES_OAEP_SHA_256", encryptedKeyMaterial),

            // RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256 and SM2PKE are exactly Decrypt's algorithms of the same names.
            _ => AsymmetricEncryption.Decrypt(wrappingKeySpec, wrappingPrivateKeyPkcs8, wrappingAlgorithm, encryptedKeyMaterial),
        };
    }

    /// <summary>RSA-OAEP of the AES key (one modulus long) ‖ RFC 5649 wrapping of the key material.</summary>
    private static SecretBytes? UnwrapRsaAes(string wrappingKeySpec, SecretBytes privateKey, string oaep, ReadOnlySpan<byte> encrypted)
    {
        var modulusBytes = KeySpec.Of(wrappingKeySpec).Size / 8;
        if (encrypted.Length < modulusBytes + KeyWrapMinimum || (encrypted.Length - modulusBytes) % KeyWrapBlock != 0)
        {
            return null;
        }

        using var aesKey = AsymmetricEncryption.Decrypt(wrappingKeySpec, privateKey, oaep, encrypted[..modulusBytes]);
        if (aesKey is null || aesKey.Length != AesKeyBytes)
        {
            return null;
        }

        var wrapped = encrypted[modulusBytes..];

        // Disposing the Aes object zeroes its copy of the key.
        using var aes = Aes.Create();
        aes.SetKey(aesKey.Span);

        // The plaintext is the wrapping less its integrity block, less up to 7 bytes of padding.
        using var unwrapped = SecretBytes.Allocate(wrapped.Length - KeyWrapBlock);
        try
        {
            var written = aes.DecryptKeyWrapPadded(wrapped, unwrapped.Writable);
            return SecretBytes.CopyOf(unwrapped.Span[..written]);
        }
        catch (CryptographicException)
        {
            // The integrity check or the padding did not match: another AES key, or altered bytes.
            return null;
        }
    }
}
