using Coffer.Core;
using Coffer.Crypto;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Service.Keys;

/// <summary>
/// Encrypts under and decrypts with asymmetric ENCRYPT_DECRYPT keys (RSA with OAEP, SM2PKE): the
/// ciphertext is the algorithm's own, with no header, so anyone holding the public key from
/// GetPublicKey can make one, and Decrypt must be told the key and the algorithm.
/// </summary>
public sealed class AsymmetricEnvelope(KeyMaterialVault vault)
{
    /// <summary>AWS's checks for an asymmetric key, made before any material is touched.</summary>
    public static void Check(KmsKey key, string? algorithm, IReadOnlyDictionary<string, string>? encryptionContext, int? plaintextLength, string operation)
    {
        KeySpecRules.EnsureUsage(key, KeyUsages.EncryptDecrypt, operation);
        var chosen = algorithm ?? EncryptionAlgorithms.SymmetricDefault;
        KeySpecRules.EnsureAlgorithm(key, KeySpecRules.EncryptionAlgorithms(key), chosen);
        if (encryptionContext is { Count: > 0 })
        {
            KmsErrors.ValidationFailed("EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.");
        }

        if (plaintextLength is { } length && length > AsymmetricEncryption.MaxPlaintextBytes(key.KeySpec, chosen))
        {
            KmsErrors.ValidationFailed(
                $"Algorithm {chosen} and key spec {key.KeySpec} cannot encrypt data larger than {AsymmetricEncryption.MaxPlaintextBytes(key.KeySpec, chosen)} bytes.");
        }
    }

    public async ValueTask<byte[]> EncryptAsync(KmsKey key, string algorithm, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken) =>
        AsymmetricEncryption.Encrypt(key.KeySpec, await PrivateKeyAsync(key, cancellationToken), algorithm, plaintext.Span);

    /// <summary>Encrypts a secret the server holds (ReEncrypt's plaintext) without copying it out.</summary>
    public async ValueTask<byte[]> EncryptAsync(KmsKey key, string algorithm, SecretBytes plaintext, CancellationToken cancellationToken)
    {
        var privateKey = await PrivateKeyAsync(key, cancellationToken);
        return AsymmetricEncryption.Encrypt(key.KeySpec, privateKey, algorithm, plaintext.Span);
    }

    /// <summary>The plaintext, owned by the caller; InvalidCiphertextException for anything that does not decrypt under this key and algorithm.</summary>
    public async ValueTask<SecretBytes> DecryptAsync(KmsKey key, string algorithm, byte[] ciphertext, CancellationToken cancellationToken)
    {
        var plaintext = AsymmetricEncryption.Decrypt(key.KeySpec, await PrivateKeyAsync(key, cancellationToken), algorithm, ciphertext);
        if (plaintext is null)
        {
            KmsErrors.BadCiphertext();
        }

        return plaintext;
    }

    private ValueTask<SecretBytes> PrivateKeyAsync(KmsKey key, CancellationToken cancellationToken) => vault.GetCurrentAsync(key, cancellationToken);
}
