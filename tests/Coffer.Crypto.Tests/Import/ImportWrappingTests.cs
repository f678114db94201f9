using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;
using Coffer.Crypto.Import;
using Coffer.Crypto.Tests.Asymmetric;

namespace Coffer.Crypto.Tests.Import;

public class ImportWrappingTests
{
    public static TheoryData<string, string> Allowed() => new()
    {
        { "RSAES_OAEP_SHA_1", "RSA_2048" },
        { "RSAES_OAEP_SHA_256", "RSA_2048" },
        { "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048" },
        { "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048" },
        { "RSAES_OAEP_SHA_256", "RSA_3072" },
        { "RSA_AES_KEY_WRAP_SHA_1", "RSA_3072" },
        { "RSAES_OAEP_SHA_1", "RSA_4096" },
        { "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096" },
        { "SM2PKE", "SM2" },
    };

    [Theory]
    [InlineData("RSA_2048", "Public-Key: (2048 bit)")]
    [InlineData("RSA_3072", "Public-Key: (3072 bit)")]
    [InlineData("RSA_4096", "Public-Key: (4096 bit)")]
    [InlineData("SM2", "ASN1 OID: SM2")]
    public void The_wrapping_public_key_is_the_spki_openssl_derives_from_the_private_key(string wrappingKeySpec, string shows)
    {
        using var openssl = new OpenSsl();
        var pair = ClientWrap.PairOf(wrappingKeySpec);
        openssl.File("private.der", pair.PrivateKey.ToArray());

        openssl.Run("pkey", "-inform", "DER", "-in", "private.der", "-pubout", "-outform", "DER", "-out", "public.der");

        Assert.Equal(openssl.Read("public.der"), pair.PublicKey);
        Assert.Contains(shows, openssl.Run("pkey", "-inform", "DER", "-in", "private.der", "-text_pub", "-noout"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RSAES_OAEP_SHA_1", "RSA_2048")]
    [InlineData("RSAES_OAEP_SHA_256", "RSA_2048")]
    [InlineData("RSAES_OAEP_SHA_256", "RSA_4096")]
    [InlineData("SM2PKE", "SM2")]
    public void Symmetric_key_material_openssl_encrypts_with_the_wrapping_public_key_unwraps(string wrappingAlgorithm, string wrappingKeySpec)
    {
        using var openssl = new OpenSsl();
        var material = RandomNumberGenerator.GetBytes(32);

        using var unwrapped = RoundTrip(openssl, wrappingAlgorithm, wrappingKeySpec, material);

        Assert.True(ImportedMaterial.IsValidFor("SYMMETRIC_DEFAULT", unwrapped.Span));
    }

    [Theory]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256", "RSA_3072")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1", "RSA_4096")]
    public void An_openssl_rsa_private_key_wrapped_with_rsa_oaep_and_aes_kwp_unwraps_and_is_an_rsa_2048_key(string wrappingAlgorithm, string wrappingKeySpec)
    {
        using var openssl = new OpenSsl();
        var material = ClientWrap.GeneratedPrivateKey(openssl, "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");

        using var unwrapped = RoundTrip(openssl, wrappingAlgorithm, wrappingKeySpec, material);

        Assert.True(ImportedMaterial.IsValidFor("RSA_2048", unwrapped.Span));
        Assert.False(ImportedMaterial.IsValidFor("RSA_3072", unwrapped.Span));
        Assert.False(ImportedMaterial.IsValidFor("ECC_NIST_P256", unwrapped.Span));
        Assert.False(ImportedMaterial.IsValidFor("SYMMETRIC_DEFAULT", unwrapped.Span));
    }

    [Theory]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256")]
    public void An_openssl_ec_private_key_wrapped_with_rsa_oaep_and_aes_kwp_unwraps_and_is_a_p256_key(string wrappingAlgorithm)
    {
        using var openssl = new OpenSsl();
        var material = ClientWrap.GeneratedPrivateKey(openssl, "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");

        using var unwrapped = RoundTrip(openssl, wrappingAlgorithm, "RSA_2048", material);

        Assert.True(ImportedMaterial.IsValidFor("ECC_NIST_P256", unwrapped.Span));
        Assert.False(ImportedMaterial.IsValidFor("ECC_NIST_P384", unwrapped.Span));
        Assert.False(ImportedMaterial.IsValidFor("ECC_SECG_P256K1", unwrapped.Span));
        Assert.False(ImportedMaterial.IsValidFor("SM2", unwrapped.Span));

        // GetPublicKey of the imported key is what openssl derives from the same private key.
        openssl.Run("pkey", "-inform", "DER", "-in", "generated.der", "-pubout", "-outform", "DER", "-out", "public.der");
        Assert.Equal(openssl.Read("public.der"), KeyMaterial.PublicKey("ECC_NIST_P256", unwrapped));
    }

    [Fact]
    public void An_sm2_private_key_wrapped_with_sm2pke_unwraps_and_is_an_sm2_key()
    {
        using var openssl = new OpenSsl();
        var material = ClientWrap.GeneratedPrivateKey(openssl, "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2");

        using var unwrapped = RoundTrip(openssl, "SM2PKE", "SM2", material);

        Assert.True(ImportedMaterial.IsValidFor("SM2", unwrapped.Span));
        Assert.False(ImportedMaterial.IsValidFor("ECC_NIST_P256", unwrapped.Span));
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Another_wrapping_key_of_the_same_spec_does_not_unwrap(string wrappingAlgorithm, string wrappingKeySpec)
    {
        using var openssl = new OpenSsl();
        var encrypted = ClientWrap.Wrap(openssl, wrappingAlgorithm, ClientWrap.PairOf(wrappingKeySpec).PublicKey, RandomNumberGenerator.GetBytes(32));
        using var other = ImportWrapping.Generate(wrappingKeySpec);

        Assert.Null(ImportWrapping.Unwrap(wrappingAlgorithm, wrappingKeySpec, other.PrivateKey, encrypted));
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Truncated_extended_altered_or_empty_input_does_not_unwrap(string wrappingAlgorithm, string wrappingKeySpec)
    {
        using var openssl = new OpenSsl();
        var pair = ClientWrap.PairOf(wrappingKeySpec);
        var encrypted = ClientWrap.Wrap(openssl, wrappingAlgorithm, pair.PublicKey, RandomNumberGenerator.GetBytes(32));
        SecretBytes? Unwrap(byte[] input) => ImportWrapping.Unwrap(wrappingAlgorithm, wrappingKeySpec, pair.PrivateKey, input);

        using (var intact = Unwrap(encrypted))
        {
            Assert.NotNull(intact);
        }

        Assert.Null(Unwrap([]));
        Assert.Null(Unwrap(encrypted[..^1]));
        Assert.Null(Unwrap(encrypted[..^8]));
        Assert.Null(Unwrap(encrypted[1..]));
        Assert.Null(Unwrap([.. encrypted, 0]));
        Assert.Null(Unwrap([.. encrypted, .. new byte[8]]));
        foreach (var at in new[] { 0, 5, encrypted.Length / 2, encrypted.Length - 1 })
        {
            var altered = (byte[])encrypted.Clone();
            altered[at] ^= 0x01;
            Assert.Null(Unwrap(altered));
        }
    }

    [Fact]
    public void Each_part_of_an_rsa_aes_key_wrap_is_checked()
    {
        using var openssl = new OpenSsl();
        var pair = ClientWrap.PairOf("RSA_2048");
        var encrypted = ClientWrap.Wrap(openssl, "RSA_AES_KEY_WRAP_SHA_256", pair.PublicKey, RandomNumberGenerator.GetBytes(40));
        var other = ClientWrap.Wrap(openssl, "RSA_AES_KEY_WRAP_SHA_256", pair.PublicKey, RandomNumberGenerator.GetBytes(40));

        // The RSA part alone, or with a wrapping made under another AES key.
        Assert.Null(ImportWrapping.Unwrap("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", pair.PrivateKey, encrypted[..256]));
        Assert.Null(ImportWrapping.Unwrap("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", pair.PrivateKey, [.. encrypted[..256], .. other[256..]]));

        // The right hash for the AES key matters as much as for RSAES_OAEP.
        Assert.Null(ImportWrapping.Unwrap("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048", pair.PrivateKey, encrypted));
        Assert.Null(ImportWrapping.Unwrap("RSAES_OAEP_SHA_256", "RSA_2048", pair.PrivateKey, encrypted));
    }

    [Fact]
    public void An_aes_key_shorter_than_256_bits_is_refused_even_when_the_wrapping_is_sound()
    {
        var pair = ClientWrap.PairOf("RSA_2048");
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(pair.PublicKey, out _);
        using var aes = Aes.Create();
        var aesKey = RandomNumberGenerator.GetBytes(16);
        aes.SetKey(aesKey);
        var material = RandomNumberGenerator.GetBytes(32);
        byte[] encrypted = [.. rsa.Encrypt(aesKey, RSAEncryptionPadding.OaepSHA256), .. aes.EncryptKeyWrapPadded(material)];

        Assert.Null(ImportWrapping.Unwrap("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", pair.PrivateKey, encrypted));
    }

    [Fact]
    public void The_wrong_algorithm_or_a_refused_one_gives_null_not_an_exception()
    {
        using var openssl = new OpenSsl();
        var pair = ClientWrap.PairOf("RSA_2048");
        var sha256 = ClientWrap.Wrap(openssl, "RSAES_OAEP_SHA_256", pair.PublicKey, RandomNumberGenerator.GetBytes(32));
        openssl.Run("pkeyutl", "-encrypt", "-pubin", "-inkey", "wrapping.pem", "-pkeyopt", "rsa_padding_mode:pkcs1", "-in", "material", "-out", "pkcs1");

        Assert.Null(ImportWrapping.Unwrap("RSAES_OAEP_SHA_1", "RSA_2048", pair.PrivateKey, sha256));
        Assert.Null(ImportWrapping.Unwrap("RSAES_PKCS1_V1_5", "RSA_2048", pair.PrivateKey, openssl.Read("pkcs1")));
        Assert.Null(ImportWrapping.Unwrap("SM2PKE", "RSA_2048", pair.PrivateKey, sha256));
        Assert.Null(ImportWrapping.Unwrap("SYMMETRIC_DEFAULT", "RSA_2048", pair.PrivateKey, sha256));
        Assert.Null(ImportWrapping.Unwrap("RSAES_OAEP_SHA_256", "RSA_1024", pair.PrivateKey, sha256));
        Assert.Null(ImportWrapping.Unwrap("RSAES_OAEP_SHA_256", "SM2", ClientWrap.PairOf("SM2").PrivateKey, sha256));
    }

    [Fact]
    public void A_stored_wrapping_key_of_another_spec_is_a_fault_not_a_refusal()
    {
        var encrypted = new byte[256];

        Assert.ThrowsAny<CryptographicException>(() => ImportWrapping.Unwrap("RSAES_OAEP_SHA_256", "RSA_2048", ClientWrap.PairOf("RSA_3072").PrivateKey, encrypted));
        Assert.ThrowsAny<CryptographicException>(() => ImportWrapping.Unwrap("SM2PKE", "SM2", ClientWrap.PairOf("RSA_2048").PrivateKey, encrypted));
    }

    [Fact]
    public void Input_over_the_api_limit_is_refused_unread()
    {
        var pair = ClientWrap.PairOf("RSA_2048");

        Assert.Null(ImportWrapping.Unwrap("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", pair.PrivateKey, new byte[ImportWrapping.MaxEncryptedKeyMaterialBytes + 8]));
    }

    [Fact]
    public void Rsa_wrapping_keys_take_the_oaep_and_aes_key_wrap_algorithms_and_sm2_only_sm2pke()
    {
        string[] algorithms = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE", "RSAES_PKCS1_V1_5"];
        var expected = new Dictionary<string, string[]>
        {
            ["RSA_2048"] = algorithms[..4],
            ["RSA_3072"] = algorithms[..4],
            ["RSA_4096"] = algorithms[..4],
            ["SM2"] = ["SM2PKE"],
            ["RSA_1024"] = [],
            ["ECC_NIST_P256"] = [],
            ["SYMMETRIC_DEFAULT"] = [],
            [""] = [],
        };

        foreach (var (spec, allowed) in expected)
        {
            Assert.Equal(allowed, algorithms.Where(algorithm => ImportWrapping.IsAllowed(algorithm, spec)));
        }

        Assert.Equal(["RSA_2048", "RSA_3072", "RSA_4096", "SM2"], ImportWrapping.WrappingKeySpecs);
        Assert.False(ImportWrapping.IsAllowed("rsaes_oaep_sha_256", "RSA_2048"));
    }

    [Theory]
    [InlineData("RSA_1024")]
    [InlineData("ECC_NIST_P256")]
    [InlineData("HMAC_256")]
    [InlineData("SYMMETRIC_DEFAULT")]
    public void Only_the_four_wrapping_key_specs_generate(string notAWrappingKeySpec)
    {
        Assert.Throws<ArgumentException>(() => ImportWrapping.Generate(notAWrappingKeySpec));
    }

    /// <summary>Wraps <paramref name="material"/> with openssl, unwraps it with Coffer, and checks that the two agree.</summary>
    private static SecretBytes RoundTrip(OpenSsl openssl, string wrappingAlgorithm, string wrappingKeySpec, byte[] material)
    {
        var pair = ClientWrap.PairOf(wrappingKeySpec);
        var unwrapped = ImportWrapping.Unwrap(wrappingAlgorithm, wrappingKeySpec, pair.PrivateKey, ClientWrap.Wrap(openssl, wrappingAlgorithm, pair.PublicKey, material));

        Assert.NotNull(unwrapped);
        Assert.Equal(material, unwrapped.ToArray());
        return unwrapped;
    }
}
