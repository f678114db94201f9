using System.Security.Cryptography;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

/// <summary>
/// Signing keys are loaded once and kept beside their material: signatures made by many threads
/// at once from one material all verify, and once the material is zeroed nothing signs with it.
/// </summary>
public class LoadedKeyTests
{
    [Theory]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256")]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256")]
    public async Task Signatures_made_at_once_on_many_threads_with_one_material_all_verify(string keySpec, string algorithm)
    {
        using var material = KeyMaterial.Generate(keySpec);
        var publicKey = KeyMaterial.PublicKey(keySpec, material);
        var messages = Enumerable.Range(0, 8).Select(_ => RandomNumberGenerator.GetBytes(64)).ToArray();

        var signed = await Task.WhenAll(messages.Select(message => Task.Run(() =>
            Enumerable.Range(0, 25).Select(_ => (message, Signer.Sign(keySpec, material, algorithm, "RAW", message))).ToList())));

        foreach (var (message, signature) in signed.SelectMany(batch => batch))
        {
            Assert.True(VerifiesWithDotNet(keySpec, publicKey, message, signature));
            Assert.True(Signer.Verify(keySpec, material, algorithm, "RAW", message, signature));
        }
    }

    [Fact]
    public void Material_once_zeroed_signs_nothing_though_its_key_was_loaded()
    {
        var material = KeyMaterial.Generate("ECC_NIST_P256");
        Signer.Sign("ECC_NIST_P256", material, "ECDSA_SHA_256", "RAW", [1, 2, 3]);

        material.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Signer.Sign("ECC_NIST_P256", material, "ECDSA_SHA_256", "RAW", [1, 2, 3]));
        Assert.Throws<ObjectDisposedException>(() => Signer.Verify("ECC_NIST_P256", material, "ECDSA_SHA_256", "RAW", [1, 2, 3], new byte[64]));
    }

    // Independent of Coffer's loading: a fresh .NET key from the public key Coffer hands out.
    private static bool VerifiesWithDotNet(string keySpec, byte[] spki, byte[] message, byte[] signature)
    {
        if (keySpec.StartsWith("RSA", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(spki, out _);
            return rsa.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
        return ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
