using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

/// <summary>SM2 against OpenSSL 3.0, which AWS names as compatible with its SM2 keys, signatures and ciphertexts.</summary>
public class Sm2Tests
{
    private const string Spec = "SM2";
    private const string DistinguishingId = "distid:1234567812345678";

    [Fact]
    public void The_keys_are_sm2_curve_keys_as_openssl_reads_and_writes_them()
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(Spec);
        openssl.File("private.der", key.ToArray());

        openssl.Run("pkey", "-inform", "DER", "-in", "private.der", "-pubout", "-outform", "DER", "-out", "public.der");

        Assert.Equal(openssl.Read("public.der"), KeyMaterial.PublicKey(Spec, key));
        Assert.Contains("ASN1 OID: SM2", openssl.Run("pkey", "-inform", "DER", "-in", "private.der", "-text_pub", "-noout"), StringComparison.Ordinal);
        Assert.False(KeyMaterial.IsPrivateKeyOf("ECC_NIST_P256", key.Span));
        Assert.False(KeyMaterial.IsPrivateKeyOf(Spec, Keys.Of("ECC_NIST_P256").Span));
    }

    [Fact]
    public void A_raw_sm2dsa_signature_verifies_with_openssl_under_the_default_distinguishing_id()
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(Spec);
        var message = RandomNumberGenerator.GetBytes(500);
        var signature = Signer.Sign(Spec, key, "SM2DSA", "RAW", message);
        var publicKey = openssl.PublicKeyPem("public.pem", KeyMaterial.PublicKey(Spec, key));
        openssl.File("message", message);
        openssl.File("signature", signature);
        string[] check = ["dgst", "-sm3", "-verify", publicKey, "-sigopt", DistinguishingId, "-signature", "signature", "message"];

        Assert.Contains("Verified", openssl.Run(check), StringComparison.Ordinal);
        Assert.True(Signer.Verify(Spec, key, "SM2DSA", "RAW", message, signature));

        signature[^3] ^= 0x01;
        openssl.File("signature", signature);
        Assert.NotEqual(0, openssl.Try(check).ExitCode);
        Assert.False(Signer.Verify(Spec, key, "SM2DSA", "RAW", message, signature));
    }

    [Fact]
    public void Openssls_signature_verifies_in_coffer_and_a_digest_signature_is_of_sm3_of_z_and_message()
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(Spec);
        var message = RandomNumberGenerator.GetBytes(100);
        openssl.PrivateKeyPem("private.pem", key.ToArray());
        openssl.File("message", message);

        openssl.Run("dgst", "-sm3", "-sign", "private.pem", "-sigopt", DistinguishingId, "-out", "theirs", "message");
        var theirs = openssl.Read("theirs");

        // pkeyutl signs what it is given as e; dgst computes e = SM3(Z_A ‖ M) itself. A DIGEST
        // signature of e from Coffer must therefore verify as a RAW signature of M, and the reverse.
        Assert.True(Signer.Verify(Spec, key, "SM2DSA", "RAW", message, theirs));
        var e = OpensslE(openssl, key, message);
        var ours = Signer.Sign(Spec, key, "SM2DSA", "DIGEST", e);
        Assert.True(Signer.Verify(Spec, key, "SM2DSA", "RAW", message, ours));
        Assert.True(Signer.Verify(Spec, key, "SM2DSA", "DIGEST", e, theirs));
        openssl.File("ours", ours);
        Assert.Contains("Verified", openssl.Run("dgst", "-sm3", "-verify", openssl.PublicKeyPem("public.pem", KeyMaterial.PublicKey(Spec, key)), "-sigopt", DistinguishingId, "-signature", "ours", "message"), StringComparison.Ordinal);
    }

    [Fact]
    public void What_openssl_encrypts_coffer_decrypts_and_the_reverse_at_the_1024_byte_limit()
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(Spec);
        var plaintext = RandomNumberGenerator.GetBytes(1024);
        var publicKey = openssl.PublicKeyPem("public.pem", KeyMaterial.PublicKey(Spec, key));
        var privateKey = openssl.PrivateKeyPem("private.pem", key.ToArray());
        openssl.File("plaintext", plaintext);

        openssl.Run("pkeyutl", "-encrypt", "-pubin", "-inkey", publicKey, "-in", "plaintext", "-out", "theirs");
        using var decrypted = AsymmetricEncryption.Decrypt(Spec, key, "SM2PKE", openssl.Read("theirs"));
        openssl.File("ours", AsymmetricEncryption.Encrypt(Spec, key, "SM2PKE", plaintext));
        openssl.Run("pkeyutl", "-decrypt", "-inkey", privateKey, "-in", "ours", "-out", "back");

        Assert.Equal(1024, AsymmetricEncryption.MaxPlaintextBytes(Spec, "SM2PKE"));
        Assert.Equal(plaintext, decrypted!.ToArray());
        Assert.Equal(plaintext, openssl.Read("back"));
        Assert.Throws<ArgumentException>(() => AsymmetricEncryption.Encrypt(Spec, key, "SM2PKE", new byte[1025]));
    }

    [Fact]
    public void A_changed_or_malformed_sm2_ciphertext_does_not_decrypt()
    {
        var key = Keys.Of(Spec);
        var ciphertext = AsymmetricEncryption.Encrypt(Spec, key, "SM2PKE", "secret"u8);

        for (var i = 0; i < ciphertext.Length; i++)
        {
            var changed = (byte[])ciphertext.Clone();
            changed[i] ^= 0x04;
            Assert.Null(AsymmetricEncryption.Decrypt(Spec, key, "SM2PKE", changed));
        }

        Assert.Null(AsymmetricEncryption.Decrypt(Spec, key, "SM2PKE", []));
        Assert.Null(AsymmetricEncryption.Decrypt(Spec, key, "SM2PKE", [.. ciphertext, 0]));
        Assert.Null(AsymmetricEncryption.Decrypt(Spec, key, "SM2PKE", ciphertext[..^1]));
    }

    [Fact]
    public void Both_sides_derive_one_ecdh_secret_on_the_sm2_curve_and_foreign_keys_are_refused()
    {
        // OpenSSL 3.0 (and .NET, through it) refuses to derive with SM2 keys ("operation not
        // supported for this keytype"), so this checks agreement between two Coffer keys only.
        var key = Keys.Of(Spec);
        using var peer = KeyMaterial.Generate(Spec);

        using var secret = KeyAgreement.Derive(Spec, key, KeyMaterial.PublicKey(Spec, peer));
        using var back = KeyAgreement.Derive(Spec, peer, KeyMaterial.PublicKey(Spec, key));

        Assert.Equal(32, secret.Length);
        Assert.Equal(back.ToArray(), secret.ToArray());
        Assert.Throws<InvalidPeerKeyException>(() => KeyAgreement.Derive(Spec, key, KeyMaterial.PublicKey("ECC_NIST_P256", Keys.Of("ECC_NIST_P256"))));
        var offCurve = KeyMaterial.PublicKey(Spec, peer);
        offCurve[^1] ^= 0x01;
        Assert.Throws<InvalidPeerKeyException>(() => KeyAgreement.Derive(Spec, key, offCurve));
        Assert.Throws<InvalidPeerKeyException>(() => KeyAgreement.Derive(Spec, key, [0x30, 0x00]));
        Assert.Throws<InvalidPeerKeyException>(() => KeyAgreement.Derive(Spec, key, []));
    }

    [Fact]
    public void The_ecdh_secret_is_the_point_openssls_sm2_encryption_shares_with_the_key()
    {
        // OpenSSL 3.0 cannot derive with SM2 keys, but SM2PKE is ECDH inside: it picks k, sends
        // C1 = k·G and hashes C3 = SM3(x2 ‖ M ‖ y2) with (x2, y2) = k·Q = d·C1. So Coffer's ECDH with
        // C1 as the peer must give an x2 that, with one of its two y, reproduces OpenSSL's C3.
        using var openssl = new OpenSsl();
        var key = Keys.Of(Spec);
        var publicKey = KeyMaterial.PublicKey(Spec, key);
        var message = RandomNumberGenerator.GetBytes(32);
        openssl.File("message", message);
        openssl.Run("pkeyutl", "-encrypt", "-pubin", "-inkey", openssl.PublicKeyPem("public.pem", publicKey), "-in", "message", "-out", "ciphertext");
        var reader = new System.Formats.Asn1.AsnReader(openssl.Read("ciphertext"), System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var x1 = Coordinate(reader.ReadInteger());
        var y1 = Coordinate(reader.ReadInteger());
        var c3 = reader.ReadOctetString();
        byte[] c1 = [.. publicKey[..^64], .. x1, .. y1];

        using var x2 = KeyAgreement.Derive(Spec, key, c1);

        var p = Number("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF");
        var x = Number(Convert.ToHexString(x2.Span));
        var y = System.Numerics.BigInteger.ModPow((x * x * x + (p - 3) * x + Number("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")) % p, (p + 1) / 4, p);
        var hashes = new[] { y, p - y }.Select(candidate =>
        {
            openssl.File("c3-input", [.. x2.Span, .. message, .. Coordinate(candidate)]);
            return openssl.Run("dgst", "-sm3", "-r", "c3-input").Split(' ')[0];
        });
        Assert.Contains(Convert.ToHexStringLower(c3), hashes);
    }

    private static System.Numerics.BigInteger Number(string hex) => System.Numerics.BigInteger.Parse("0" + hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Coordinate(System.Numerics.BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - bytes.Length], .. bytes];
    }

    /// <summary>e = SM3(Z_A ‖ M) for the default ID, hashed by OpenSSL's SM3.</summary>
    private static byte[] OpensslE(OpenSsl openssl, SecretBytes key, byte[] message)
    {
        // Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) (GM/T 0003.2), with the curve constants from GM/T 0003.5.
        var publicKey = KeyMaterial.PublicKey(Spec, key);
        var point = publicKey[^64..];
        byte[] z = [0x00, 0x80, .. "1234567812345678"u8,
            .. Convert.FromHexString("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"),
            .. Convert.FromHexString("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"),
            .. Convert.FromHexString("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"),
            .. Convert.FromHexString("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"),
            .. point];
        openssl.File("z-input", z);
        var za = Convert.FromHexString(openssl.Run("dgst", "-sm3", "-r", "z-input").Split(' ')[0]);
        openssl.File("e-input", [.. za, .. message]);
        return Convert.FromHexString(openssl.Run("dgst", "-sm3", "-r", "e-input").Split(' ')[0]);
    }
}
