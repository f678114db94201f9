using System.Buffers;
using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// Encrypt and Decrypt with RSA and SM2 keys, byte-compatible with AWS KMS. Algorithm names are
/// AWS's EncryptionAlgorithmSpec. Thread-safe: it holds no state.
/// </summary>
/// <remarks>
/// RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256 are PKCS #1 v2.2 OAEP with MGF1 over the same hash and an
/// empty label, so the largest plaintext is k − 2·hLen − 2 bytes: RSA_2048 214 and 190, RSA_3072 342
/// and 318, RSA_4096 470 and 446 (Developer Guide, "Key spec reference", RSA key specs for encryption
/// and decryption).
/// </remarks>
public static class AsymmetricEncryption
{
    /// <summary>The encryption algorithms AWS offers for <paramref name="keySpec"/>; empty for a spec that does not encrypt.</summary>
    public static IReadOnlyList<string> Algorithms(string keySpec) => KeySpec.Of(keySpec).Family switch
    {
        KeyFamily.Rsa => ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
        KeyFamily.Sm2 => ["SM2PKE"],
        _ => [],
    };

    /// <summary>AWS's largest plaintext for the spec and algorithm.</summary>
    public static int MaxPlaintextBytes(string keySpec, string algorithm)
    {
        var spec = Check(keySpec, algorithm);
        return spec.Family == KeyFamily.Rsa ? spec.Size / 8 - 2 * HashLength(algorithm) - 2 : BouncySm2.MaxPlaintextBytes;
    }

    /// <exception cref="ArgumentException">The algorithm is not one of the spec's, or the plaintext is longer than <see cref="MaxPlaintextBytes"/>.</exception>
    public static byte[] Encrypt(string keySpec, SecretBytes privateKey, string algorithm, ReadOnlySpan<byte> plaintext)
    {
        var spec = Check(keySpec, algorithm);
        if (plaintext.Length > MaxPlaintextBytes(keySpec, algorithm))
        {
            throw new ArgumentException($"{algorithm} with {keySpec} encrypts at most {MaxPlaintextBytes(keySpec, algorithm)} bytes.", nameof(plaintext));
        }

        if (spec.Family == KeyFamily.Sm2)
        {
            return BouncySm2.Encrypt(privateKey.Span, plaintext);
        }

        using var rsa = DotNetKeys.LoadRsa(spec, privateKey.Span);
        return rsa.Encrypt(plaintext, Padding(algorithm));
    }

    /// <summary>The plaintext, or null when the ciphertext does not decrypt under this key and algorithm (AWS: InvalidCiphertextException).</summary>
    public static SecretBytes? Decrypt(string keySpec, SecretBytes privateKey, string algorithm, ReadOnlySpan<byte> ciphertext)
    {
        var spec = Check(keySpec, algorithm);
        if (spec.Family == KeyFamily.Sm2)
        {
            return BouncySm2.Decrypt(privateKey.Span, ciphertext);
        }

        using var rsa = DotNetKeys.LoadRsa(spec, privateKey.Span);
        var buffer = ArrayPool<byte>.Shared.Rent(spec.Size / 8);
        try
        {
            return ciphertext.Length == spec.Size / 8 && rsa.TryDecrypt(ciphertext, buffer, Padding(algorithm), out var written)
                ? SecretBytes.CopyOf(buffer.AsSpan(0, written))
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            SecretBytes.Zero(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static KeySpec Check(string keySpec, string algorithm)
    {
        var spec = KeySpec.Of(keySpec);
        if (!Algorithms(keySpec).Contains(algorithm))
        {
            throw new ArgumentException($"{keySpec} keys do not encrypt with {algorithm}.", nameof(algorithm));
        }

        return spec;
    }

    private static int HashLength(string algorithm) => algorithm == "RSAES_OAEP_SHA_1" ? 20 : 32;

    private static RSAEncryptionPadding Padding(string algorithm) =>
        algorithm == "RSAES_OAEP_SHA_1" ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
}
