using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

public class EncryptionCrossCheckTests
{
    public static TheoryData<string, string, int> RsaLimits() => new()
    {
        // The Developer Guide's table of RSA plaintext limits.
        { "RSA_2048", "RSAES_OAEP_SHA_1", 214 },
        { "RSA_2048", "RSAES_OAEP_SHA_256", 190 },
        { "RSA_3072", "RSAES_OAEP_SHA_1", 342 },
        { "RSA_3072", "RSAES_OAEP_SHA_256", 318 },
        { "RSA_4096", "RSAES_OAEP_SHA_1", 470 },
        { "RSA_4096", "RSAES_OAEP_SHA_256", 446 },
    };

    [Theory]
    [MemberData(nameof(RsaLimits))]
    public void What_openssl_encrypts_with_the_public_key_coffer_decrypts_and_the_reverse(string keySpec, string algorithm, int limit)
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(keySpec);
        var hash = algorithm == "RSAES_OAEP_SHA_1" ? "sha1" : "sha256";
        string[] oaep = ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", $"rsa_oaep_md:{hash}", "-pkeyopt", $"rsa_mgf1_md:{hash}"];
        var plaintext = RandomNumberGenerator.GetBytes(limit);
        var publicKey = openssl.PublicKeyPem("public.pem", KeyMaterial.PublicKey(keySpec, key));
        var privateKey = openssl.PrivateKeyPem("private.pem", key.ToArray());
        openssl.File("plaintext", plaintext);

        openssl.Run(["pkeyutl", "-encrypt", "-pubin", "-inkey", publicKey, "-in", "plaintext", "-out", "ciphertext", .. oaep]);
        using var decrypted = AsymmetricEncryption.Decrypt(keySpec, key, algorithm, openssl.Read("ciphertext"));

        openssl.File("ours", AsymmetricEncryption.Encrypt(keySpec, key, algorithm, plaintext));
        openssl.Run(["pkeyutl", "-decrypt", "-inkey", privateKey, "-in", "ours", "-out", "theirs", .. oaep]);

        Assert.Equal(limit, AsymmetricEncryption.MaxPlaintextBytes(keySpec, algorithm));
        Assert.Equal(plaintext, decrypted!.ToArray());
        Assert.Equal(plaintext, openssl.Read("theirs"));
    }

    [Theory]
    [MemberData(nameof(RsaLimits))]
    public void A_plaintext_over_the_limit_is_refused(string keySpec, string algorithm, int limit)
    {
        Assert.Throws<ArgumentException>(() => AsymmetricEncryption.Encrypt(keySpec, Keys.Of(keySpec), algorithm, new byte[limit + 1]));
    }

    [Fact]
    public void A_changed_truncated_or_wrong_padding_ciphertext_does_not_decrypt()
    {
        var key = Keys.Of("RSA_2048");
        var ciphertext = AsymmetricEncryption.Encrypt("RSA_2048", key, "RSAES_OAEP_SHA_256", "secret"u8);
        var changed = (byte[])ciphertext.Clone();
        changed[10] ^= 0x01;

        Assert.Null(AsymmetricEncryption.Decrypt("RSA_2048", key, "RSAES_OAEP_SHA_256", changed));
        Assert.Null(AsymmetricEncryption.Decrypt("RSA_2048", key, "RSAES_OAEP_SHA_256", ciphertext[1..]));
        Assert.Null(AsymmetricEncryption.Decrypt("RSA_2048", key, "RSAES_OAEP_SHA_256", []));
        Assert.Null(AsymmetricEncryption.Decrypt("RSA_2048", key, "RSAES_OAEP_SHA_1", ciphertext));
        using var other = KeyMaterial.Generate("RSA_2048");
        Assert.Null(AsymmetricEncryption.Decrypt("RSA_2048", other, "RSAES_OAEP_SHA_256", ciphertext));
    }

    [Fact]
    public void Only_rsa_and_sm2_keys_encrypt()
    {
        Assert.Equal(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"], AsymmetricEncryption.Algorithms("RSA_4096"));
        Assert.Equal(["SM2PKE"], AsymmetricEncryption.Algorithms("SM2"));
        Assert.Empty(AsymmetricEncryption.Algorithms("ECC_NIST_P256"));
        Assert.Throws<ArgumentException>(() => AsymmetricEncryption.Encrypt("ECC_NIST_P256", Keys.Of("ECC_NIST_P256"), "RSAES_OAEP_SHA_256", "x"u8));
        Assert.Throws<ArgumentException>(() => AsymmetricEncryption.Encrypt("RSA_2048", Keys.Of("RSA_2048"), "SYMMETRIC_DEFAULT", "x"u8));
    }
}
