using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

public class Ed25519Tests
{
    private const string Spec = "ECC_NIST_EDWARDS25519";

    // RFC 8032 section 7.1 TEST 1 and section 7.3 (Ed25519ph, message "abc"), as PKCS#8 (RFC 8410).
    private static readonly byte[] Test1Key = Convert.FromHexString("302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private const string Test1PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Test1Signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    private static readonly byte[] PhKey = Convert.FromHexString("302e020100300506032b657004220420833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42");
    private const string PhSignature = "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406";

    [Fact]
    public void Ed25519_gives_rfc_8032s_signature_and_public_key()
    {
        using var key = SecretBytes.CopyOf(Test1Key);

        var signature = Signer.Sign(Spec, key, "ED25519_SHA_512", "RAW", []);

        Assert.Equal(Test1Signature, Convert.ToHexStringLower(signature));
        Assert.Equal("302a300506032b6570032100" + Test1PublicKey, Convert.ToHexStringLower(KeyMaterial.PublicKey(Spec, key)));
        Assert.True(Signer.Verify(Spec, key, "ED25519_SHA_512", "RAW", [], signature));
    }

    [Fact]
    public void Ed25519ph_gives_rfc_8032s_signature_for_the_message_it_is_handed()
    {
        // AWS's ED25519_PH_SHA_512 takes the caller's 64-byte digest as Ed25519ph's message and hashes
        // it again; here the RFC's three-byte message stands in to replay its known answer.
        var signature = BouncySignatures.Sign(KeySpec.Of(Spec), PhKey, SigningAlgorithm.Of("ED25519_PH_SHA_512"), MessageKind.Digest, "abc"u8);

        Assert.Equal(PhSignature, Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void An_ed25519_signature_verifies_with_openssl_and_the_public_key_is_the_one_openssl_derives()
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(Spec);
        var message = RandomNumberGenerator.GetBytes(1000);
        var signature = Signer.Sign(Spec, key, "ED25519_SHA_512", "RAW", message);
        var publicKey = openssl.PublicKeyPem("public.pem", KeyMaterial.PublicKey(Spec, key));
        openssl.File("message", message);
        openssl.File("signature", signature);
        openssl.File("private.der", key.ToArray());

        Assert.Contains("Verified", openssl.Run("pkeyutl", "-verify", "-pubin", "-inkey", publicKey, "-rawin", "-in", "message", "-sigfile", "signature"), StringComparison.Ordinal);
        openssl.Run("pkey", "-inform", "DER", "-in", "private.der", "-pubout", "-outform", "DER", "-out", "public.der");
        Assert.Equal(openssl.Read("public.der"), KeyMaterial.PublicKey(Spec, key));

        signature[5] ^= 0x10;
        openssl.File("signature", signature);
        Assert.NotEqual(0, openssl.Try("pkeyutl", "-verify", "-pubin", "-inkey", publicKey, "-rawin", "-in", "message", "-sigfile", "signature").ExitCode);
        Assert.False(Signer.Verify(Spec, key, "ED25519_SHA_512", "RAW", message, signature));
    }

    [Fact]
    public void Ed25519ph_signs_a_sha_512_digest_and_is_not_pure_ed25519()
    {
        var key = Keys.Of(Spec);
        var digest = SHA512.HashData("message"u8);

        var signature = Signer.Sign(Spec, key, "ED25519_PH_SHA_512", "DIGEST", digest);

        Assert.True(Signer.Verify(Spec, key, "ED25519_PH_SHA_512", "DIGEST", digest, signature));
        Assert.False(Signer.Verify(Spec, key, "ED25519_SHA_512", "RAW", digest, signature));
        Assert.Throws<ArgumentException>(() => Signer.Sign(Spec, key, "ED25519_PH_SHA_512", "RAW", digest));
        Assert.Throws<ArgumentException>(() => Signer.Sign(Spec, key, "ED25519_SHA_512", "DIGEST", digest));
        Assert.Throws<ArgumentException>(() => Signer.Sign(Spec, key, "ED25519_PH_SHA_512", "DIGEST", digest[..32]));
    }

    [Fact]
    public void A_signature_of_the_wrong_length_does_not_verify()
    {
        Assert.False(Signer.Verify(Spec, Keys.Of(Spec), "ED25519_SHA_512", "RAW", "m"u8, new byte[63]));
        Assert.False(Signer.Verify(Spec, Keys.Of(Spec), "ED25519_SHA_512", "RAW", "m"u8, []));
    }
}
