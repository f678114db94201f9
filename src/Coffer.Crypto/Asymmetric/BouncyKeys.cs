using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Coffer.Crypto.Asymmetric;

/// <summary>
/// Ed25519, ML-DSA and SM2 keys, which .NET cannot make on Linux with OpenSSL 3.0, through
/// BouncyCastle. PKCS#8 and SubjectPublicKeyInfo are the standard forms: RFC 8410 for Ed25519,
/// RFC 9881 (seed form) for ML-DSA, id-ecPublicKey with the SM2 curve OID 1.2.156.10197.1.301 and
/// an uncompressed point for SM2 (what OpenSSL 3.0 writes, and AWS documents OpenSSL 3.0 as
/// compatible with its SM2 keys: Developer Guide, "Offline operations with SM2").
/// </summary>
/// <remarks>
/// BouncyCastle's key objects keep their own copies of the private key, which Coffer cannot zero;
/// they are dropped as soon as the operation ends. The DER buffers Coffer hands them are zeroed.
/// </remarks>
internal static class BouncyKeys
{
    private static readonly SecureRandom Random = new();

    public static SecretBytes Generate(KeySpec spec)
    {
        var generator = Generator(spec);
        var keys = generator.GenerateKeyPair();
        return Pkcs8(keys.Private);
    }

    public static byte[] PublicKey(KeySpec spec, ReadOnlySpan<byte> pkcs8) =>
        SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(PublicOf(LoadPrivate(spec, pkcs8))).GetDerEncoded();

    public static bool IsPrivateKeyOf(KeySpec spec, ReadOnlySpan<byte> pkcs8)
    {
        LoadPrivate(spec, pkcs8);
        return true;
    }

    public static bool IsPublicKeyOf(KeySpec spec, ReadOnlySpan<byte> spki)
    {
        LoadPublic(spec, spki);
        return true;
    }

    /// <summary>The private key of <paramref name="spec"/> in <paramref name="pkcs8"/>, or a <see cref="CryptographicException"/>.</summary>
    public static AsymmetricKeyParameter LoadPrivate(KeySpec spec, ReadOnlySpan<byte> pkcs8)
    {
        var der = pkcs8.ToArray();
        try
        {
            var info = PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(der));
            if (info.GetDerEncoded().Length != der.Length)
            {
                throw new CryptographicException($"The private key is not a whole {spec.Name} key.");
            }

            var key = PrivateKeyFactory.CreateKey(info);
            return IsOf(spec, key) ? key : throw new CryptographicException($"The private key is not a {spec.Name} key.");
        }
        catch (Exception e) when (e is not CryptographicException)
        {
            throw new CryptographicException($"The private key is not a {spec.Name} key.", e);
        }
        finally
        {
            SecretBytes.Zero(der);
        }
    }

    /// <summary>The public key of <paramref name="spec"/> in <paramref name="spki"/>, or a <see cref="CryptographicException"/>.</summary>
    public static AsymmetricKeyParameter LoadPublic(KeySpec spec, ReadOnlySpan<byte> spki)
    {
        try
        {
            var der = spki.ToArray();
            var info = SubjectPublicKeyInfo.GetInstance(Asn1Object.FromByteArray(der));

            // BouncyCastle checks an EC point against its curve while decoding it.
            var key = PublicKeyFactory.CreateKey(info);
            return info.GetDerEncoded().Length == der.Length && IsOf(spec, key)
                ? key
                : throw new CryptographicException($"The public key is not a {spec.Name} key.");
        }
        catch (Exception e) when (e is not CryptographicException)
        {
            throw new CryptographicException($"The public key is not a {spec.Name} key.", e);
        }
    }

    public static AsymmetricKeyParameter PublicOf(AsymmetricKeyParameter privateKey) => privateKey switch
    {
        Ed25519PrivateKeyParameters ed => ed.GeneratePublicKey(),
        MLDsaPrivateKeyParameters ml => ml.GetPublicKey(),
        ECPrivateKeyParameters ec => new ECPublicKeyParameters(ec.Parameters.G.Multiply(ec.D).Normalize(), ec.Parameters),
        _ => throw new CryptographicException("Not a key Coffer makes with BouncyCastle."),
    };

    public static MLDsaParameters MlDsaParameters(KeySpec spec) => spec.Size switch
    {
        2 => Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_44,
        3 => Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_65,
        _ => Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_87,
    };

    public static SecureRandom SecureRandom => Random;

    private static IAsymmetricCipherKeyPairGenerator Generator(KeySpec spec)
    {
        switch (spec.Family)
        {
            case KeyFamily.Ed25519:
                var ed = new Ed25519KeyPairGenerator();
                ed.Init(new Ed25519KeyGenerationParameters(Random));
                return ed;
            case KeyFamily.MlDsa:
                var ml = new MLDsaKeyPairGenerator();
                ml.Init(new MLDsaKeyGenerationParameters(Random, MlDsaParameters(spec)));
                return ml;
            case KeyFamily.Sm2:
                // Naming the curve by OID keeps its OID in the keys, rather than its parameters.
                var ec = new ECKeyPairGenerator();
                ec.Init(new ECKeyGenerationParameters(GMObjectIdentifiers.sm2p256v1, Random));
                return ec;
            default:
                throw new ArgumentException($"{spec.Name} keys are not made with BouncyCastle.");
        }
    }

    private static SecretBytes Pkcs8(AsymmetricKeyParameter privateKey)
    {
        // An Ed25519 key is written in RFC 8410's version 1 form, without the optional public key:
        // the form OpenSSL 3.0 reads and RFC 8410's own example shows.
        var info = privateKey is Ed25519PrivateKeyParameters ed
            ? new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DerOctetString(ed.GetEncoded()))
            : PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey);
        var der = info.GetDerEncoded();
        try
        {
            return SecretBytes.CopyOf(der);
        }
        finally
        {
            SecretBytes.Zero(der);
        }
    }

    private static bool IsOf(KeySpec spec, AsymmetricKeyParameter key) => (spec.Family, key) switch
    {
        (KeyFamily.Ed25519, Ed25519PrivateKeyParameters or Ed25519PublicKeyParameters) => true,
        (KeyFamily.MlDsa, MLDsaKeyParameters ml) => ml.Parameters == MlDsaParameters(spec),
        (KeyFamily.Sm2, ECKeyParameters { Parameters: ECNamedDomainParameters named }) => named.Name.Equals(GMObjectIdentifiers.sm2p256v1),
        _ => false,
    };
}
