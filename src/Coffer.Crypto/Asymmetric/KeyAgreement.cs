using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// DeriveSharedSecret: the ECDH primitive between a KMS key and a peer's public key. Thread-safe: it
/// holds no state.
/// </summary>
/// <remarks>
/// AWS uses the Elliptic Curve Cryptography Cofactor Diffie-Hellman Primitive (NIST SP 800-56A) and
/// returns the raw shared secret, the x coordinate of the shared point, unhashed; the peer's key is a
/// DER SubjectPublicKeyInfo on the same curve (API reference, DeriveSharedSecret). Every curve AWS
/// offers has cofactor 1, so the cofactor step changes nothing.
/// </remarks>
public static class KeyAgreement
{
    /// <summary>The key agreement algorithms AWS offers for <paramref name="keySpec"/>: ECDH for the NIST curves and SM2.</summary>
    public static IReadOnlyList<string> Algorithms(string keySpec)
    {
        var spec = KeySpec.Of(keySpec);

        // AWS's KEY_AGREEMENT keys are NIST-recommended ECC keys or SM2; secp256k1 and Ed25519 keys only sign.
        return (spec.Family == KeyFamily.Ec && spec.Name.StartsWith("ECC_NIST_", StringComparison.Ordinal)) || spec.Family == KeyFamily.Sm2
            ? ["ECDH"]
            : [];
    }

    /// <summary>The raw shared secret (the shared point's x coordinate, as long as the curve's field).</summary>
    /// <exception cref="InvalidPeerKeyException">The peer key is malformed, not a point on the key's curve, or on another curve.</exception>
    public static SecretBytes Derive(string keySpec, SecretBytes privateKey, ReadOnlySpan<byte> peerPublicKeySpki)
    {
        var spec = KeySpec.Of(keySpec);
        if (Algorithms(keySpec).Count == 0)
        {
            throw new ArgumentException($"{keySpec} keys do not agree on keys.", nameof(keySpec));
        }

        if (spec.Family == KeyFamily.Sm2)
        {
            return BouncySm2.Derive(privateKey.Span, peerPublicKeySpki);
        }

        using var own = DotNetKeys.LoadEcdh(spec, privateKey.Span);
        ECDiffieHellman peer;
        try
        {
            peer = DotNetKeys.LoadEcdhPublic(spec, peerPublicKeySpki);
        }
        catch (CryptographicException e)
        {
            throw new InvalidPeerKeyException($"The public key is not a valid {keySpec} public key.", e);
        }

        using (peer)
        {
            var secret = own.DeriveRawSecretAgreement(peer.PublicKey);
            try
            {
                return SecretBytes.CopyOf(secret);
            }
            finally
            {
                SecretBytes.Zero(secret);
            }
        }
    }
}

/// <summary>A peer public key that is malformed, not on its curve, or on another curve than the KMS key's (AWS answers ValidationException).</summary>
public sealed class InvalidPeerKeyException : Exception
{
    public InvalidPeerKeyException()
    {
    }

    public InvalidPeerKeyException(string message)
        : base(message)
    {
    }

    public InvalidPeerKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
