using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

/// <summary>Every signature Coffer makes with .NET's RSA and ECDSA verifies with OpenSSL.</summary>
public class SignatureCrossCheckTests
{
    public static TheoryData<string, string, string> RsaAndEcdsa()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var spec in new[] { "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1" })
        {
            foreach (var algorithm in Signer.Algorithms(spec))
            {
                data.Add(spec, algorithm, "RAW");
                data.Add(spec, algorithm, "DIGEST");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RsaAndEcdsa))]
    public void A_signature_verifies_with_openssl_and_a_changed_one_does_not(string keySpec, string algorithm, string messageType)
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(keySpec);
        var message = RandomNumberGenerator.GetBytes(300);
        var hash = OpenSslHash(algorithm);
        var input = messageType == "DIGEST" ? Digest(hash, message) : message;

        var signature = Signer.Sign(keySpec, key, algorithm, messageType, input);

        var publicKey = openssl.PublicKeyPem("public.pem", KeyMaterial.PublicKey(keySpec, key));
        openssl.File("message", message);
        openssl.File("digest", Digest(hash, message));
        openssl.File("signature", signature);
        var pss = algorithm.StartsWith("RSASSA_PSS", StringComparison.Ordinal);

        // dgst hashes the message itself; pkeyutl signs what it is given, here the digest. Both are
        // asked for a salt exactly as long as the digest, which is what AWS uses.
        string[] rawCheck = ["dgst", $"-{hash}", "-verify", publicKey, "-signature", "signature", .. pss ? new[] { "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest" } : [], "message"];
        string[] digestCheck = ["pkeyutl", "-verify", "-pubin", "-inkey", publicKey, "-in", "digest", "-sigfile", "signature", "-pkeyopt", $"digest:{hash}",
            .. pss ? new[] { "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest" } : []];
        Assert.Contains("Verified", openssl.Run(rawCheck), StringComparison.Ordinal);
        Assert.Contains("Verified", openssl.Run(digestCheck), StringComparison.Ordinal);
        Assert.True(Signer.Verify(keySpec, key, algorithm, messageType, input, signature));

        signature[signature.Length / 2] ^= 0x01;
        openssl.File("signature", signature);
        Assert.NotEqual(0, openssl.Try(rawCheck).ExitCode);
        Assert.False(Signer.Verify(keySpec, key, algorithm, messageType, input, signature));
    }

    [Theory]
    [InlineData("ECC_NIST_P256", 64)]
    [InlineData("ECC_NIST_P384", 96)]
    [InlineData("ECC_NIST_P521", 132)]
    public void An_ecdsa_signature_is_der_not_r_and_s_side_by_side(string keySpec, int rawLength)
    {
        var algorithm = Signer.Algorithms(keySpec).Single();
        var signature = Signer.Sign(keySpec, Keys.Of(keySpec), algorithm, "RAW", "hello"u8);

        Assert.Equal(0x30, signature[0]);
        Assert.NotEqual(rawLength, signature.Length);
    }

    [Fact]
    public void Signatures_that_are_not_der_or_are_empty_do_not_verify()
    {
        var key = Keys.Of("ECC_NIST_P256");

        Assert.False(Signer.Verify("ECC_NIST_P256", key, "ECDSA_SHA_256", "RAW", "m"u8, []));
        Assert.False(Signer.Verify("ECC_NIST_P256", key, "ECDSA_SHA_256", "RAW", "m"u8, new byte[64]));
        Assert.False(Signer.Verify("RSA_2048", Keys.Of("RSA_2048"), "RSASSA_PSS_SHA_256", "RAW", "m"u8, new byte[3]));
    }

    [Fact]
    public void A_signature_by_another_key_of_the_same_spec_does_not_verify()
    {
        using var other = KeyMaterial.Generate("ECC_SECG_P256K1");
        var signature = Signer.Sign("ECC_SECG_P256K1", other, "ECDSA_SHA_256", "RAW", "m"u8);

        Assert.False(Signer.Verify("ECC_SECG_P256K1", Keys.Of("ECC_SECG_P256K1"), "ECDSA_SHA_256", "RAW", "m"u8, signature));
    }

    [Theory]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_384", "RAW", 5)]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_512", "RAW", 5)]
    [InlineData("RSA_2048", "ECDSA_SHA_256", "RAW", 5)]
    [InlineData("ECC_NIST_P256", "RSASSA_PSS_SHA_256", "RAW", 5)]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256", "DIGEST", 31)]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_384", "DIGEST", 32)]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "EXTERNAL_MU", 64)]
    [InlineData("HMAC_256", "RSASSA_PSS_SHA_256", "RAW", 5)]
    public void A_combination_aws_refuses_is_refused(string keySpec, string algorithm, string messageType, int length)
    {
        Assert.Throws<ArgumentException>(() => Signer.Sign(keySpec, Keys.Of(keySpec), algorithm, messageType, new byte[length]));
    }

    [Fact]
    public void The_algorithm_lists_are_the_ones_aws_describes()
    {
        Assert.Equal(["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"], Signer.Algorithms("RSA_3072"));
        Assert.Equal(["ECDSA_SHA_256"], Signer.Algorithms("ECC_NIST_P256"));
        Assert.Equal(["ECDSA_SHA_384"], Signer.Algorithms("ECC_NIST_P384"));
        Assert.Equal(["ECDSA_SHA_512"], Signer.Algorithms("ECC_NIST_P521"));
        Assert.Equal(["ECDSA_SHA_256"], Signer.Algorithms("ECC_SECG_P256K1"));
        Assert.Equal(["ED25519_SHA_512", "ED25519_PH_SHA_512"], Signer.Algorithms("ECC_NIST_EDWARDS25519"));
        Assert.Equal(["ML_DSA_SHAKE_256"], Signer.Algorithms("ML_DSA_65"));
        Assert.Equal(["SM2DSA"], Signer.Algorithms("SM2"));
        Assert.Empty(Signer.Algorithms("HMAC_256"));
        Assert.Equal(32, Signer.RequiredMessageLength("ECDSA_SHA_256", "DIGEST"));
        Assert.Equal(64, Signer.RequiredMessageLength("ML_DSA_SHAKE_256", "EXTERNAL_MU"));
        Assert.Null(Signer.RequiredMessageLength("ECDSA_SHA_256", "RAW"));
        Assert.False(Signer.AcceptsMessageType("ED25519_SHA_512", "DIGEST"));
        Assert.False(Signer.AcceptsMessageType("ED25519_PH_SHA_512", "RAW"));
        Assert.False(Signer.AcceptsMessageType("ML_DSA_SHAKE_256", "DIGEST"));
        Assert.True(Signer.AcceptsMessageType("ML_DSA_SHAKE_256", "EXTERNAL_MU"));
    }

    internal static string OpenSslHash(string algorithm) => algorithm[^3..] switch
    {
        "256" => "sha256",
        "384" => "sha384",
        _ => "sha512",
    };

    internal static byte[] Digest(string hash, byte[] message) => hash switch
    {
        "sha256" => SHA256.HashData(message),
        "sha384" => SHA384.HashData(message),
        _ => SHA512.HashData(message),
    };
}
