using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>The kinds of key material behind AWS's key specs; each kind has one implementation.</summary>
internal enum KeyFamily
{
    Rsa,
    Ec,
    Ed25519,
    MlDsa,
    Sm2,
    Hmac,
}

/// <summary>
/// What Coffer needs to know of one AWS KeySpec. <see cref="Size"/> is the modulus in bits for RSA,
/// the key length in bytes for HMAC (AWS: HMAC_224 is 28 bytes … HMAC_512 is 64, the hash's output
/// length) and the FIPS 204 security category for ML-DSA.
/// </summary>
internal sealed record KeySpec(string Name, KeyFamily Family, int Size, ECCurve? Curve = null)
{
    // OIDs from RFC 5480 (NIST curves) and SEC 2 (secp256k1); the SM2 curve's from GB/T 33560.
    internal const string Sm2CurveOid = "1.2.156.10197.1.301";

    private static readonly Dictionary<string, KeySpec> All = new KeySpec[]
    {
        new("RSA_2048", KeyFamily.Rsa, 2048),
        new("RSA_3072", KeyFamily.Rsa, 3072),
        new("RSA_4096", KeyFamily.Rsa, 4096),
        new("ECC_NIST_P256", KeyFamily.Ec, 256, ECCurve.NamedCurves.nistP256),
        new("ECC_NIST_P384", KeyFamily.Ec, 384, ECCurve.NamedCurves.nistP384),
        new("ECC_NIST_P521", KeyFamily.Ec, 521, ECCurve.NamedCurves.nistP521),
        new("ECC_SECG_P256K1", KeyFamily.Ec, 256, ECCurve.CreateFromValue("1.3.132.0.10")),
        new("ECC_NIST_EDWARDS25519", KeyFamily.Ed25519, 256),
        new("ML_DSA_44", KeyFamily.MlDsa, 2),
        new("ML_DSA_65", KeyFamily.MlDsa, 3),
        new("ML_DSA_87", KeyFamily.MlDsa, 5),
        new("SM2", KeyFamily.Sm2, 256),
        new("HMAC_224", KeyFamily.Hmac, 28),
        new("HMAC_256", KeyFamily.Hmac, 32),
        new("HMAC_384", KeyFamily.Hmac, 48),
        new("HMAC_512", KeyFamily.Hmac, 64),
    }.ToDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>The names Coffer implements: every AWS KeySpec but SYMMETRIC_DEFAULT, which the symmetric code owns.</summary>
    internal static IEnumerable<string> Names => All.Keys;

    internal static KeySpec Of(string keySpec) =>
        All.TryGetValue(keySpec, out var spec) ? spec : throw new ArgumentException($"{keySpec} is not an asymmetric or HMAC key spec.", nameof(keySpec));

    /// <summary>The dotted OID of an elliptic curve spec's curve, as it appears in its keys.</summary>
    internal string CurveOid => Curve?.Oid.Value ?? throw new InvalidOperationException($"{Name} has no elliptic curve.");

    internal void Expect(KeyFamily family)
    {
        if (Family != family)
        {
            throw new ArgumentException($"{Name} is not a {family} key spec.");
        }
    }
}
