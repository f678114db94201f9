using Coffer.Core;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Encrypts under and decrypts with symmetric KMS keys: the steps Encrypt, Decrypt, ReEncrypt
/// and GenerateDataKey* share. Decryption finds the key from the blob itself; any blob that does
/// not authenticate, names no key here, or names a version that does not exist is an
/// InvalidCiphertextException and nothing more, so a caller learns nothing from a forgery.
/// </summary>
public sealed class SymmetricEnvelope(ICofferStore store, KeyMaterialVault vault, KeyCache keys)
{
    public async ValueTask<byte[]> EncryptAsync(KmsKey key, ReadOnlyMemory<byte> plaintext, IReadOnlyDictionary<string, string>? encryptionContext, CancellationToken cancellationToken)
    {
        var material = await CurrentMaterialAsync(key, cancellationToken);
        return SymmetricCiphertext.Encrypt(material, Guid.Parse(key.KeyId), key.CurrentMaterialVersion, plaintext.Span,
            EncodeContext(encryptionContext));
    }

    /// <summary>Encrypts a secret the server holds (ReEncrypt's plaintext, a data key) without copying it out.</summary>
    public async ValueTask<byte[]> EncryptAsync(KmsKey key, SecretBytes plaintext, IReadOnlyDictionary<string, string>? encryptionContext, CancellationToken cancellationToken)
    {
        var material = await CurrentMaterialAsync(key, cancellationToken);
        return SymmetricCiphertext.Encrypt(material, Guid.Parse(key.KeyId), key.CurrentMaterialVersion, plaintext.Span,
            EncodeContext(encryptionContext));
    }

    /// <summary>
    /// The encryption context as the ciphertext binds it. Its format gives each key and value two
    /// length bytes; a longer one is the caller's mistake (a ValidationException), not a server fault.
    /// </summary>
    private static byte[] EncodeContext(IReadOnlyDictionary<string, string>? encryptionContext)
    {
        if (encryptionContext is not null)
        {
            if (encryptionContext.Count > EncryptionContextEncoding.MaxPairs)
            {
                KmsErrors.ValidationFailed($"The encryption context must have at most {EncryptionContextEncoding.MaxPairs} pairs.");
            }

            foreach (var (name, value) in encryptionContext)
            {
                if (System.Text.Encoding.UTF8.GetByteCount(name) > EncryptionContextEncoding.MaxStringBytes
                    || System.Text.Encoding.UTF8.GetByteCount(value) > EncryptionContextEncoding.MaxStringBytes)
                {
                    KmsErrors.ValidationFailed($"Each encryption context key and value must be at most {EncryptionContextEncoding.MaxStringBytes} bytes in UTF-8.");
                }
            }
        }

        return EncryptionContextEncoding.Encode(encryptionContext);
    }

    private ValueTask<SecretBytes> CurrentMaterialAsync(KmsKey key, CancellationToken cancellationToken) => vault.GetCurrentAsync(key, cancellationToken);

    /// <summary>
    /// The key <paramref name="blob"/> was made under (for an asymmetric <paramref name="expected"/> key, that key: its ciphertexts have no header). When <paramref name="expected"/> is given
    /// it must be that key (IncorrectKeyException otherwise). Nothing is decrypted yet: the
    /// pipeline authorizes the key and checks its state first.
    /// </summary>
    public async ValueTask<KmsKey> KeyOfAsync(RequestContext context, byte[] blob, KmsKey? expected, CancellationToken cancellationToken)
    {
        if (expected is not null && KeySpecRules.IsAsymmetric(expected.KeySpec))
        {
            // An asymmetric ciphertext names no key: the caller's KeyId is the key.
            return expected;
        }

        if (!SymmetricCiphertext.TryReadHeader(blob, out var keyGuid, out _))
        {
            KmsErrors.BadCiphertext();
        }

        var key = await keys.FindAsync(context.Region, keyGuid.ToString("D"), cancellationToken);
        if (key is null)
        {
            if (expected is not null)
            {
                KmsErrors.Throw(KmsErrors.IncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.");
            }

            KmsErrors.BadCiphertext();
        }

        if (expected is not null && expected.KeyId != key.KeyId)
        {
            KmsErrors.Throw(KmsErrors.IncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.");
        }

        return key;
    }

    /// <summary>
    /// Decrypts <paramref name="blob"/>, made under <paramref name="key"/> (see <see cref="KeyOfAsync"/>).
    /// Any blob that does not authenticate is InvalidCiphertextException. The caller owns and disposes the plaintext.
    /// </summary>
    public async ValueTask<SecretBytes> DecryptAsync(KmsKey key, byte[] blob, IReadOnlyDictionary<string, string>? encryptionContext, CancellationToken cancellationToken)
    {
        if (!SymmetricCiphertext.TryReadHeader(blob, out _, out var version))
        {
            KmsErrors.BadCiphertext();
        }

        var material = await vault.GetAsync(key, version, cancellationToken);
        if (material is null)
        {
            KmsErrors.BadCiphertext();
        }

        var plaintext = SymmetricCiphertext.TryDecrypt(material, blob, EncodeContext(encryptionContext));
        if (plaintext is null)
        {
            KmsErrors.BadCiphertext();
        }

        return plaintext;
    }

    /// <summary>The KeyMaterialId of the material <paramref name="blob"/> was made with (see <see cref="KeyMaterialIds.OfCiphertextAsync"/>).</summary>
    public ValueTask<string?> MaterialIdOfAsync(KmsKey key, byte[] blob, CancellationToken cancellationToken) =>
        KeyMaterialIds.OfCiphertextAsync(store, key, blob, cancellationToken);

    /// <summary>
    /// The envelope serves symmetric encryption keys only: any other key gets AWS's
    /// InvalidKeyUsageException, for its usage or for the SYMMETRIC_DEFAULT algorithm.
    /// Checked before any material is touched, so a ciphertext naming such a key never reaches AES.
    /// </summary>
    public static void EnsureSymmetric(KmsKey key, string operation)
    {
        if (key.KeySpec == KeySpecs.SymmetricDefault)
        {
            return;
        }

        KeySpecRules.EnsureUsage(key, KeyUsages.EncryptDecrypt, operation);
        KmsErrors.Throw(ErrorCode.InvalidKeyUsage, $"Algorithm {EncryptionAlgorithms.SymmetricDefault} is incompatible with key spec {key.KeySpec}.");
    }

    /// <summary>Symmetric keys take only SYMMETRIC_DEFAULT.</summary>
    public static void EnsureAlgorithm(KmsKey key, string? algorithm, string operation)
    {
        EnsureSymmetric(key, operation);
        if (algorithm is not null && algorithm != EncryptionAlgorithms.SymmetricDefault)
        {
            KmsErrors.Throw(KmsErrors.InvalidKeyUsage,
                $"Algorithm {algorithm} is incompatible with key spec {key.KeySpec}.");
        }
    }
}
