using System.Formats.Asn1;
using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;
using Coffer.Crypto.Import;
using Coffer.Crypto.Tests.Asymmetric;

namespace Coffer.Crypto.Tests.Import;

public class ImportedMaterialTests
{
    private static readonly string[] AsymmetricSpecs = KeyMaterial.KeySpecs.Where(spec => !spec.StartsWith("HMAC_", StringComparison.Ordinal)).ToArray();

    [Theory]
    [InlineData("SYMMETRIC_DEFAULT", 32)]
    [InlineData("HMAC_224", 28)]
    [InlineData("HMAC_256", 32)]
    [InlineData("HMAC_384", 48)]
    [InlineData("HMAC_512", 64)]
    public void Symmetric_and_hmac_material_has_exactly_the_length_coffer_generates(string keySpec, int length)
    {
        Assert.True(ImportedMaterial.IsValidFor(keySpec, RandomNumberGenerator.GetBytes(length)));
        Assert.False(ImportedMaterial.IsValidFor(keySpec, RandomNumberGenerator.GetBytes(length - 1)));
        Assert.False(ImportedMaterial.IsValidFor(keySpec, RandomNumberGenerator.GetBytes(length + 1)));
        Assert.False(ImportedMaterial.IsValidFor(keySpec, []));
    }

    [Fact]
    public void Every_generated_private_key_is_valid_for_its_own_spec_and_no_other_asymmetric_one()
    {
        // HMAC specs are left out: any bytes of the right length are HMAC material, and an Ed25519
        // PKCS#8 key happens to be 48 bytes, an HMAC_384 key's length.
        foreach (var material in AsymmetricSpecs)
        {
            foreach (var spec in AsymmetricSpecs)
            {
                Assert.True(ImportedMaterial.IsValidFor(spec, Keys.Of(material).Span) == (spec == material), $"{material} material for {spec}");
            }
        }
    }

    [Theory]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519")]
    [InlineData("ECC_NIST_P384", "EC", "-pkeyopt", "ec_paramgen_curve:P-384")]
    [InlineData("ECC_NIST_P521", "EC", "-pkeyopt", "ec_paramgen_curve:P-521")]
    [InlineData("ECC_SECG_P256K1", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1")]
    [InlineData("RSA_3072", "RSA", "-pkeyopt", "rsa_keygen_bits:3072")]
    public void Private_keys_openssl_generates_are_valid_for_their_spec(string keySpec, string algorithm, params string[] options)
    {
        using var openssl = new OpenSsl();

        var material = ClientWrap.GeneratedPrivateKey(openssl, ["-algorithm", algorithm, .. options]);

        Assert.True(ImportedMaterial.IsValidFor(keySpec, material));
    }

    [Theory]
    [InlineData("ECC_NIST_P256", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")]
    [InlineData("RSA_2048", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")]
    public void A_private_key_in_its_algorithms_own_der_form_rather_than_pkcs8_is_refused(string keySpec, string algorithm, params string[] options)
    {
        using var openssl = new OpenSsl();
        ClientWrap.GeneratedPrivateKey(openssl, ["-algorithm", algorithm, .. options]);

        // What genpkey -outform DER writes: RFC 5915 ECPrivateKey, PKCS#1 RSAPrivateKey.
        openssl.Run("pkey", "-in", "generated.pem", "-outform", "DER", "-out", "traditional.der");

        Assert.True(ImportedMaterial.IsValidFor(keySpec, openssl.Read("generated.der")));
        Assert.False(ImportedMaterial.IsValidFor(keySpec, openssl.Read("traditional.der")));
    }

    [Fact]
    public void A_curve_given_by_its_parameters_rather_than_its_name_is_refused()
    {
        using var openssl = new OpenSsl();

        var material = ClientWrap.GeneratedPrivateKey(openssl, "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:explicit");

        Assert.False(ImportedMaterial.IsValidFor("ECC_NIST_P256", material));
    }

    [Theory]
    [InlineData("RSA_2048")]
    [InlineData("ECC_NIST_P256")]
    [InlineData("ECC_NIST_EDWARDS25519")]
    [InlineData("ML_DSA_44")]
    [InlineData("SM2")]
    public void Truncated_or_extended_der_is_refused(string keySpec)
    {
        var material = Keys.Of(keySpec).ToArray();

        Assert.False(ImportedMaterial.IsValidFor(keySpec, material[..^1]));
        Assert.False(ImportedMaterial.IsValidFor(keySpec, [.. material, 0]));
        Assert.False(ImportedMaterial.IsValidFor(keySpec, []));
        Assert.False(ImportedMaterial.IsValidFor(keySpec, RandomNumberGenerator.GetBytes(material.Length)));
    }

    [Fact]
    public void An_rsa_key_whose_modulus_belongs_to_another_key_is_refused()
    {
        using var one = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var parameters = one.ExportParameters(includePrivateParameters: true);
        parameters.Modulus = other.ExportParameters(includePrivateParameters: false).Modulus;

        Assert.False(ImportedMaterial.IsValidFor("RSA_2048", Pkcs8Rsa(parameters)));
        Assert.True(ImportedMaterial.IsValidFor("RSA_2048", Pkcs8Rsa(one.ExportParameters(includePrivateParameters: true))));
    }

    [Fact]
    public void An_unknown_key_spec_is_the_callers_bug()
    {
        Assert.Throws<ArgumentException>(() => ImportedMaterial.IsValidFor("AES_256", new byte[32]));
    }

    /// <summary>PKCS#8 of RSA parameters written field by field, so no library checks them on the way.</summary>
    private static byte[] Pkcs8Rsa(RSAParameters p)
    {
        var key = new AsnWriter(AsnEncodingRules.DER);
        using (key.PushSequence())
        {
            key.WriteInteger(0);
            foreach (var part in new[] { p.Modulus, p.Exponent, p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ })
            {
                // .NET pads D, DP, DQ and InverseQ to a fixed length; DER wants no leading zero bytes
                // (about one key in a hundred has one, and the writer refused it).
                key.WriteIntegerUnsigned(part.AsSpan().TrimStart((byte)0));
            }
        }

        var info = new AsnWriter(AsnEncodingRules.DER);
        using (info.PushSequence())
        {
            info.WriteInteger(0);
            using (info.PushSequence())
            {
                info.WriteObjectIdentifier("1.2.840.113549.1.1.1");
                info.WriteNull();
            }

            info.WriteOctetString(key.Encode());
        }

        return info.Encode();
    }
}
