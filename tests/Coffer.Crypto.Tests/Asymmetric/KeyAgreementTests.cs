using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

public class KeyAgreementTests
{
    [Theory]
    [InlineData("ECC_NIST_P256", "P-256", 32)]
    [InlineData("ECC_NIST_P384", "P-384", 48)]
    [InlineData("ECC_NIST_P521", "P-521", 66)]
    public void The_shared_secret_is_the_one_openssl_derives(string keySpec, string curve, int length)
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(keySpec);
        openssl.Run("genpkey", "-algorithm", "EC", "-pkeyopt", $"ec_paramgen_curve:{curve}", "-out", "peer.pem");
        openssl.Run("pkey", "-in", "peer.pem", "-pubout", "-outform", "DER", "-out", "peer.der");
        var ours = openssl.PublicKeyPem("ours.pem", KeyMaterial.PublicKey(keySpec, key));

        using var secret = KeyAgreement.Derive(keySpec, key, openssl.Read("peer.der"));
        openssl.Run("pkeyutl", "-derive", "-inkey", "peer.pem", "-peerkey", ours, "-out", "theirs");

        Assert.Equal(length, secret.Length);
        Assert.Equal(openssl.Read("theirs"), secret.ToArray());
    }

    [Fact]
    public void Two_kms_keys_derive_the_same_secret_from_each_others_public_keys()
    {
        using var other = KeyMaterial.Generate("ECC_NIST_P384");
        var key = Keys.Of("ECC_NIST_P384");

        using var one = KeyAgreement.Derive("ECC_NIST_P384", key, KeyMaterial.PublicKey("ECC_NIST_P384", other));
        using var two = KeyAgreement.Derive("ECC_NIST_P384", other, KeyMaterial.PublicKey("ECC_NIST_P384", key));

        Assert.Equal(one.ToArray(), two.ToArray());
    }

    public static TheoryData<string, byte[]> BadPeerKeys()
    {
        var p256 = KeyMaterial.PublicKey("ECC_NIST_P256", Keys.Of("ECC_NIST_P256"));
        var offCurve = (byte[])p256.Clone();
        offCurve[^1] ^= 0x01; // the last byte of y: the point leaves the curve
        var compressedTag = (byte[])p256.Clone();
        compressedTag[^65] = 0x05; // not a point encoding at all
        return new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "random bytes", Coffer.Crypto.RandomSource.Bytes(91) },
            { "truncated", p256[..^1] },
            { "trailing byte", [.. p256, 0] },
            { "point not on the curve", offCurve },
            { "bad point encoding", compressedTag },
            { "a P-384 key", KeyMaterial.PublicKey("ECC_NIST_P384", Keys.Of("ECC_NIST_P384")) },
            { "a secp256k1 key", KeyMaterial.PublicKey("ECC_SECG_P256K1", Keys.Of("ECC_SECG_P256K1")) },
            { "an RSA key", KeyMaterial.PublicKey("RSA_2048", Keys.Of("RSA_2048")) },
            { "a private key", Keys.Of("ECC_NIST_P256").ToArray() },
        };
    }

    [Theory]
    [MemberData(nameof(BadPeerKeys))]
    public void A_malformed_or_foreign_peer_key_is_refused(string what, byte[] peer)
    {
        Assert.NotNull(what);
        Assert.Throws<InvalidPeerKeyException>(() => KeyAgreement.Derive("ECC_NIST_P256", Keys.Of("ECC_NIST_P256"), peer));
        Assert.False(KeyMaterial.IsPublicKeyOf("ECC_NIST_P256", peer));
    }

    [Fact]
    public void Only_nist_curves_and_sm2_agree_on_keys_as_on_aws()
    {
        Assert.Equal(["ECDH"], KeyAgreement.Algorithms("ECC_NIST_P521"));
        Assert.Equal(["ECDH"], KeyAgreement.Algorithms("SM2"));
        Assert.Empty(KeyAgreement.Algorithms("ECC_SECG_P256K1"));
        Assert.Empty(KeyAgreement.Algorithms("ECC_NIST_EDWARDS25519"));
        Assert.Empty(KeyAgreement.Algorithms("RSA_2048"));
        Assert.Throws<ArgumentException>(() => KeyAgreement.Derive("ECC_SECG_P256K1", Keys.Of("ECC_SECG_P256K1"), KeyMaterial.PublicKey("ECC_SECG_P256K1", Keys.Of("ECC_SECG_P256K1"))));
    }
}
