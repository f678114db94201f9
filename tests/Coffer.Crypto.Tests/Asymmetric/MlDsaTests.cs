using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

/// <summary>
/// OpenSSL 3.0 has no ML-DSA, so the independent check is known answers: Wycheproof's deterministic
/// ML-DSA vectors (FIPS 204 with rnd = 0, from a seed-form PKCS#8 key), which fix the key
/// expansion, the public key, μ and the signature bytes for both RAW and EXTERNAL_MU signing.
/// </summary>
public class MlDsaTests
{
    public sealed record Vector(string KeySpec, string Source, string Pkcs8, string PublicKey, string Message, string Mu, string Signature);

    public static TheoryData<string> Sources() => new(Vectors().Select(v => v.Source));

    [Theory]
    [MemberData(nameof(Sources))]
    public void Signing_deterministically_gives_the_known_answer_for_the_message_and_for_its_mu(string source)
    {
        var v = Vectors().Single(x => x.Source == source);
        using var key = SecretBytes.CopyOf(Convert.FromHexString(v.Pkcs8));
        var spec = KeySpec.Of(v.KeySpec);

        Assert.True(KeyMaterial.IsPrivateKeyOf(v.KeySpec, key.Span));
        Assert.EndsWith(v.PublicKey, Convert.ToHexStringLower(KeyMaterial.PublicKey(v.KeySpec, key)), StringComparison.Ordinal);
        Assert.Equal(v.Signature, Convert.ToHexStringLower(BouncySignatures.SignMlDsaDeterministically(spec, key.Span, MessageKind.Raw, Convert.FromHexString(v.Message))));
        Assert.Equal(v.Signature, Convert.ToHexStringLower(BouncySignatures.SignMlDsaDeterministically(spec, key.Span, MessageKind.ExternalMu, Convert.FromHexString(v.Mu))));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void The_known_signature_verifies_as_raw_and_as_external_mu_and_a_changed_one_does_not(string source)
    {
        var v = Vectors().Single(x => x.Source == source);
        using var key = SecretBytes.CopyOf(Convert.FromHexString(v.Pkcs8));
        var signature = Convert.FromHexString(v.Signature);

        Assert.True(Signer.Verify(v.KeySpec, key, "ML_DSA_SHAKE_256", "RAW", Convert.FromHexString(v.Message), signature));
        Assert.True(Signer.Verify(v.KeySpec, key, "ML_DSA_SHAKE_256", "EXTERNAL_MU", Convert.FromHexString(v.Mu), signature));
        signature[100] ^= 0x01;
        Assert.False(Signer.Verify(v.KeySpec, key, "ML_DSA_SHAKE_256", "RAW", Convert.FromHexString(v.Message), signature));
        Assert.False(Signer.Verify(v.KeySpec, key, "ML_DSA_SHAKE_256", "EXTERNAL_MU", Convert.FromHexString(v.Mu), signature));
    }

    [Theory]
    [InlineData("ML_DSA_44", "2.16.840.1.101.3.4.3.17", 1312, 2420)]
    [InlineData("ML_DSA_65", "2.16.840.1.101.3.4.3.18", 1952, 3309)]
    [InlineData("ML_DSA_87", "2.16.840.1.101.3.4.3.19", 2592, 4627)]
    public void A_generated_key_signs_hedged_in_both_message_types_with_the_fips_204_oids_and_sizes(string keySpec, string oid, int publicKeyLength, int signatureLength)
    {
        using var openssl = new OpenSsl();
        var key = Keys.Of(keySpec);
        var publicKey = KeyMaterial.PublicKey(keySpec, key);
        var message = RandomNumberGenerator.GetBytes(4096);
        var mu = Mu(publicKey[^publicKeyLength..], message);

        var raw = Signer.Sign(keySpec, key, "ML_DSA_SHAKE_256", "RAW", message);
        var external = Signer.Sign(keySpec, key, "ML_DSA_SHAKE_256", "EXTERNAL_MU", mu);

        // openssl 3.0 parses the DER and prints the OIDs it does not know by number.
        openssl.File("public.der", publicKey);
        openssl.File("private.der", key.ToArray());
        Assert.Contains(oid, openssl.Run("asn1parse", "-inform", "DER", "-in", "public.der"), StringComparison.Ordinal);
        Assert.Contains(oid, openssl.Run("asn1parse", "-inform", "DER", "-in", "private.der"), StringComparison.Ordinal);
        Assert.Equal(signatureLength, raw.Length);
        Assert.NotEqual(raw, Signer.Sign(keySpec, key, "ML_DSA_SHAKE_256", "RAW", message));
        Assert.True(Signer.Verify(keySpec, key, "ML_DSA_SHAKE_256", "RAW", message, external));
        Assert.True(Signer.Verify(keySpec, key, "ML_DSA_SHAKE_256", "EXTERNAL_MU", mu, raw));
        Assert.Throws<ArgumentException>(() => Signer.Sign(keySpec, key, "ML_DSA_SHAKE_256", "DIGEST", mu));
        Assert.Throws<ArgumentException>(() => Signer.Sign(keySpec, key, "ML_DSA_SHAKE_256", "EXTERNAL_MU", mu[..32]));
    }

    [Fact]
    public void Mu_computed_here_with_dotnets_shake256_is_the_vectors_mu()
    {
        foreach (var v in Vectors())
        {
            Assert.Equal(v.Mu, Convert.ToHexStringLower(Mu(Convert.FromHexString(v.PublicKey), Convert.FromHexString(v.Message))));
        }
    }

    [Fact]
    public void Keys_of_another_parameter_set_are_not_taken()
    {
        Assert.False(KeyMaterial.IsPrivateKeyOf("ML_DSA_65", Keys.Of("ML_DSA_44").Span));
        Assert.False(KeyMaterial.IsPublicKeyOf("ML_DSA_87", KeyMaterial.PublicKey("ML_DSA_44", Keys.Of("ML_DSA_44"))));
        Assert.True(KeyMaterial.IsPublicKeyOf("ML_DSA_44", KeyMaterial.PublicKey("ML_DSA_44", Keys.Of("ML_DSA_44"))));
    }

    /// <summary>μ = SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64): FIPS 204 with an empty context, as AWS documents for EXTERNAL_MU.</summary>
    private static byte[] Mu(byte[] publicKey, byte[] message)
    {
        var tr = Shake256.HashData(publicKey, 64);
        return Shake256.HashData([.. tr, 0, 0, .. message], 64);
    }

    private static Vector[] Vectors() =>
        JsonSerializer.Deserialize<Vector[]>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Asymmetric", "Vectors", "mldsa-wycheproof.json")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
}
