namespace Coffer.Crypto.Import;

/// <summary>
/// A fresh wrapping key pair for GetParametersForImport: the public key the client wraps its key
/// material with, and the private key Coffer keeps (sealed) until ImportKeyMaterial unwraps it.
/// The caller owns <see cref="PrivateKey"/> and disposes it, directly or through <see cref="Dispose"/>.
/// </summary>
public sealed class WrappingKeyPair : IDisposable
{
    internal WrappingKeyPair(byte[] publicKey, SecretBytes privateKey)
    {
        PublicKey = publicKey;
        PrivateKey = privateKey;
    }

    /// <summary>The DER SubjectPublicKeyInfo, as GetParametersForImport returns it in PublicKey.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The DER PKCS#8 private key.</summary>
    public SecretBytes PrivateKey { get; }

    public void Dispose() => PrivateKey.Dispose();
}
