using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

public class KeyMaterialTests
{
    [Theory]
    [InlineData("RSA_2048", "Public-Key: (2048 bit)", "rsaEncryption")]
    [InlineData("RSA_3072", "Public-Key: (3072 bit)", "rsaEncryption")]
    [InlineData("RSA_4096", "Public-Key: (4096 bit)", "rsaEncryption")]
    [InlineData("ECC_NIST_P256", "ASN1 OID: prime256v1", "NIST CURVE: P-256")]
    [InlineData("ECC_NIST_P384", "ASN1 OID: secp384r1", "NIST CURVE: P-384")]
    [InlineData("ECC_NIST_P521", "ASN1 OID: secp521r1", "NIST CURVE: P-521")]
    [InlineData("ECC_SECG_P256K1", "ASN1 OID: secp256k1", "pub:")]
    public void The_public_key_is_the_spki_openssl_derives_from_the_pkcs8_private_key(string keySpec, string shows, string alsoShows)
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(keySpec);
        openssl.File("private.der", key.ToArray());

        var publicKey = KeyMaterial.PublicKey(keySpec, key);
        openssl.Run("pkey", "-inform", "DER", "-in", "private.der", "-pubout", "-outform", "DER", "-out", "public.der");
        var text = openssl.Run("pkey", "-inform", "DER", "-in", "private.der", "-text_pub", "-noout");

        // OpenSSL writes named curves and uncompressed points by default: the form AWS returns.
        Assert.Equal(openssl.Read("public.der"), publicKey);
        Assert.Contains(shows, text, StringComparison.Ordinal);
        Assert.Contains(alsoShows, openssl.Run("pkey", "-inform", "DER", "-in", "private.der", "-text_pub", "-noout") + openssl.Run("asn1parse", "-inform", "DER", "-in", "public.der"), StringComparison.Ordinal);
        Assert.True(KeyMaterial.IsPublicKeyOf(keySpec, publicKey));
        Assert.True(KeyMaterial.IsPrivateKeyOf(keySpec, key.Span));
    }

    [Theory]
    [InlineData("HMAC_224", 28)]
    [InlineData("HMAC_256", 32)]
    [InlineData("HMAC_384", 48)]
    [InlineData("HMAC_512", 64)]
    public void Hmac_keys_are_as_long_as_aws_makes_them(string keySpec, int length)
    {
        using var key = KeyMaterial.Generate(keySpec);

        Assert.Equal(length, key.Length);
        Assert.Throws<ArgumentException>(() => KeyMaterial.PublicKey(keySpec, key));
    }

    [Fact]
    public void Two_generated_keys_differ()
    {
        using var one = KeyMaterial.Generate("ECC_NIST_P256");
        using var two = KeyMaterial.Generate("ECC_NIST_P256");

        Assert.NotEqual(one.ToArray(), two.ToArray());
    }

    [Fact]
    public void Material_of_another_spec_or_curve_is_not_taken_for_a_key_of_this_one()
    {
        var p256 = Keys.Of("ECC_NIST_P256");
        var rsa = Keys.Of("RSA_2048");

        Assert.False(KeyMaterial.IsPrivateKeyOf("ECC_NIST_P384", p256.Span));
        Assert.False(KeyMaterial.IsPrivateKeyOf("ECC_SECG_P256K1", p256.Span));
        Assert.False(KeyMaterial.IsPrivateKeyOf("RSA_3072", rsa.Span));
        Assert.False(KeyMaterial.IsPrivateKeyOf("ECC_NIST_P256", rsa.Span));
        Assert.False(KeyMaterial.IsPrivateKeyOf("ECC_NIST_P256", [.. p256.Span, 0]));
        Assert.False(KeyMaterial.IsPrivateKeyOf("ECC_NIST_P256", p256.Span[..^3]));
        Assert.False(KeyMaterial.IsPublicKeyOf("ECC_NIST_P384", KeyMaterial.PublicKey("ECC_NIST_P256", p256)));
        Assert.False(KeyMaterial.IsPublicKeyOf("RSA_4096", KeyMaterial.PublicKey("RSA_2048", rsa)));
        Assert.False(KeyMaterial.IsPublicKeyOf("ECC_NIST_P256", KeyMaterial.PublicKey("RSA_2048", rsa)));
    }

    [Fact]
    public void A_spec_aws_does_not_have_is_refused()
    {
        Assert.Throws<ArgumentException>(() => KeyMaterial.Generate("SYMMETRIC_DEFAULT"));
        Assert.Throws<ArgumentException>(() => KeyMaterial.Generate("RSA_1024"));
    }
}
