using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// Key material for every AWS KeySpec but SYMMETRIC_DEFAULT: asymmetric keys as PKCS#8 DER private
/// keys, HMAC keys as random bytes. Thread-safe: it holds no state.
/// </summary>
public static class KeyMaterial
{
    /// <summary>The key specs this class understands.</summary>
    public static IEnumerable<string> KeySpecs => KeySpec.Names;

    /// <summary>
    /// Fresh private material for <paramref name="keySpec"/>: a PKCS#8 DER private key for an
    /// asymmetric spec, random bytes of the hash's output length for an HMAC spec (HMAC_224: 28,
    /// HMAC_256: 32, HMAC_384: 48, HMAC_512: 64, as AWS makes them).
    /// </summary>
    /// <exception cref="ArgumentException">The spec is not one of <see cref="KeySpecs"/>.</exception>
    public static SecretBytes Generate(string keySpec)
    {
        var spec = KeySpec.Of(keySpec);
        return spec.Family switch
        {
            KeyFamily.Hmac => SecretBytes.Random(spec.Size),
            KeyFamily.Rsa or KeyFamily.Ec => DotNetKeys.Generate(spec),
            _ => BouncyKeys.Generate(spec),
        };
    }

    /// <summary>
    /// The DER SubjectPublicKeyInfo that GetPublicKey returns for the key: rsaEncryption for RSA,
    /// id-ecPublicKey with the named curve and an uncompressed point for the NIST, SECG and SM2
    /// curves, id-Ed25519 (RFC 8410) and id-ml-dsa-44/65/87 (FIPS 204 OIDs).
    /// </summary>
    /// <exception cref="ArgumentException">An HMAC spec, which has no public key.</exception>
    /// <exception cref="CryptographicException">The material is not a key of that spec.</exception>
    public static byte[] PublicKey(string keySpec, SecretBytes privateKey)
    {
        var spec = KeySpec.Of(keySpec);
        return spec.Family switch
        {
            KeyFamily.Hmac => throw new ArgumentException($"{keySpec} keys have no public key.", nameof(keySpec)),
            KeyFamily.Rsa or KeyFamily.Ec => DotNetKeys.PublicKey(spec, privateKey.Span),
            _ => BouncyKeys.PublicKey(spec, privateKey.Span),
        };
    }

    /// <summary>Whether <paramref name="pkcs8"/> is exactly one PKCS#8 private key of <paramref name="keySpec"/> (for imported material).</summary>
    public static bool IsPrivateKeyOf(string keySpec, ReadOnlySpan<byte> pkcs8)
    {
        var spec = KeySpec.Of(keySpec);
        try
        {
            switch (spec.Family)
            {
                case KeyFamily.Hmac:
                    return false;
                case KeyFamily.Rsa:
                    DotNetKeys.LoadRsa(spec, pkcs8).Dispose();
                    return true;
                case KeyFamily.Ec:
                    DotNetKeys.LoadEcdsa(spec, pkcs8).Dispose();
                    return true;
                default:
                    return BouncyKeys.IsPrivateKeyOf(spec, pkcs8);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="spki"/> is exactly one SubjectPublicKeyInfo of a key of <paramref name="keySpec"/>, with a point on its curve.</summary>
    public static bool IsPublicKeyOf(string keySpec, ReadOnlySpan<byte> spki)
    {
        var spec = KeySpec.Of(keySpec);
        try
        {
            switch (spec.Family)
            {
                case KeyFamily.Hmac:
                    return false;
                case KeyFamily.Ec:
                    DotNetKeys.LoadEcdhPublic(spec, spki).Dispose();
                    return true;
                case KeyFamily.Rsa:
                    using (var rsa = RSA.Create())
                    {
                        rsa.ImportSubjectPublicKeyInfo(spki, out var read);
                        return read == spki.Length && rsa.KeySize == spec.Size;
                    }

                default:
                    return BouncyKeys.IsPublicKeyOf(spec, spki);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
