using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// Turns stored PKCS#8 material into .NET key objects for RSA and the NIST and SECG curves. Every
/// object returned is the caller's to dispose at once; none outlives the operation that loaded it.
/// </summary>
internal static class DotNetKeys
{
    public static RSA LoadRsa(KeySpec spec, ReadOnlySpan<byte> pkcs8)
    {
        spec.Expect(KeyFamily.Rsa);
        return Load(RSA.Create(), pkcs8, $"The private key is not a whole {spec.Name} key.", (rsa, der) =>
        {
            rsa.ImportPkcs8PrivateKey(der, out var read);
            return read == der.Length && rsa.KeySize == spec.Size;
        });
    }

    public static ECDsa LoadEcdsa(KeySpec spec, ReadOnlySpan<byte> pkcs8) => LoadEc(spec, ECDsa.Create(), pkcs8);

    public static ECDiffieHellman LoadEcdh(KeySpec spec, ReadOnlySpan<byte> pkcs8) => LoadEc(spec, ECDiffieHellman.Create(), pkcs8);

    /// <summary>A peer's public key on <paramref name="spec"/>'s curve, or a <see cref="CryptographicException"/>.</summary>
    public static ECDiffieHellman LoadEcdhPublic(KeySpec spec, ReadOnlySpan<byte> spki)
    {
        spec.Expect(KeyFamily.Ec);
        return Load(ECDiffieHellman.Create(), spki, $"The public key is not a {spec.Name} key.", (peer, der) =>
        {
            // OpenSSL checks that the point is on the named curve while importing it.
            peer.ImportSubjectPublicKeyInfo(der, out var read);
            return read == der.Length && IsOn(spec, peer.ExportParameters(includePrivateParameters: false).Curve);
        });
    }

    /// <summary>Fresh PKCS#8 material for an RSA or elliptic curve spec.</summary>
    public static SecretBytes Generate(KeySpec spec)
    {
        using AsymmetricAlgorithm key = spec.Family == KeyFamily.Rsa ? RSA.Create(spec.Size) : ECDsa.Create(spec.Curve!.Value);
        return ExportPkcs8(key);
    }

    public static byte[] PublicKey(KeySpec spec, ReadOnlySpan<byte> pkcs8)
    {
        using AsymmetricAlgorithm key = spec.Family == KeyFamily.Rsa ? LoadRsa(spec, pkcs8) : LoadEcdsa(spec, pkcs8);
        return key.ExportSubjectPublicKeyInfo();
    }

    private static SecretBytes ExportPkcs8(AsymmetricAlgorithm key)
    {
        var der = key.ExportPkcs8PrivateKey();
        try
        {
            return SecretBytes.CopyOf(der);
        }
        finally
        {
            SecretBytes.Zero(der);
        }
    }

    private static T LoadEc<T>(KeySpec spec, T key, ReadOnlySpan<byte> pkcs8)
        where T : ECAlgorithm
    {
        spec.Expect(KeyFamily.Ec);
        return Load(key, pkcs8, $"The private key is not a {spec.Name} key.", (ec, der) =>
        {
            ec.ImportPkcs8PrivateKey(der, out var read);
            return read == der.Length && IsOn(spec, ec.ExportParameters(includePrivateParameters: false).Curve);
        });
    }

    private delegate bool Import<in T>(T key, ReadOnlySpan<byte> der);

    /// <summary>Imports <paramref name="der"/> into <paramref name="key"/>, which is disposed unless the whole of it was a key of the expected kind.</summary>
    private static T Load<T>(T key, ReadOnlySpan<byte> der, string refusal, Import<T> import)
        where T : AsymmetricAlgorithm
    {
        try
        {
            return import(key, der) ? key : throw new CryptographicException(refusal);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    // Only named curves count: a key that spells out its curve's parameters is refused even when they
    // are the right ones, as AWS accepts named curves only (RFC 5480 forbids the other forms in PKIX).
    private static bool IsOn(KeySpec spec, ECCurve curve) => curve.IsNamed && curve.Oid.Value == spec.CurveOid;
}
