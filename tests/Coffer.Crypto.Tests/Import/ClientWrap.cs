using System.Collections.Concurrent;
using Coffer.Crypto.Import;
using Coffer.Crypto.Tests.Asymmetric;

namespace Coffer.Crypto.Tests.Import;

/// <summary>
/// What an AWS client does with the wrapping public key, done by the openssl command line (the
/// commands AWS's Developer Guide gives in "Encrypt the key material"), so no Coffer code wraps
/// what Coffer unwraps.
/// </summary>
internal static class ClientWrap
{
    private static readonly ConcurrentDictionary<string, Lazy<WrappingKeyPair>> Pairs = new();

    /// <summary>One wrapping key pair per spec for the whole run: an RSA_4096 pair takes about a second.</summary>
    public static WrappingKeyPair PairOf(string wrappingKeySpec) =>
        Pairs.GetOrAdd(wrappingKeySpec, spec => new Lazy<WrappingKeyPair>(() => ImportWrapping.Generate(spec))).Value;

    /// <summary>The encrypted key material for <paramref name="wrappingAlgorithm"/> under the DER SubjectPublicKeyInfo <paramref name="spki"/>.</summary>
    public static byte[] Wrap(OpenSsl openssl, string wrappingAlgorithm, byte[] spki, byte[] material)
    {
        var publicKey = openssl.PublicKeyPem("wrapping.pem", spki);
        openssl.File("material", material);
        switch (wrappingAlgorithm)
        {
            case "RSAES_OAEP_SHA_1" or "RSAES_OAEP_SHA_256":
                openssl.Run(["pkeyutl", "-encrypt", "-pubin", "-inkey", publicKey, "-in", "material", "-out", "encrypted", .. Oaep(wrappingAlgorithm)]);
                return openssl.Read("encrypted");
            case "RSA_AES_KEY_WRAP_SHA_1" or "RSA_AES_KEY_WRAP_SHA_256":
                openssl.Run("rand", "-out", "aes.key", "32");
                var aesKey = Convert.ToHexString(openssl.Read("aes.key"));
                openssl.Run(["pkeyutl", "-encrypt", "-pubin", "-inkey", publicKey, "-in", "aes.key", "-out", "encrypted-aes-key", .. Oaep(wrappingAlgorithm)]);
                openssl.Run("enc", "-id-aes256-wrap-pad", "-iv", "A65959A6", "-K", aesKey, "-in", "material", "-out", "wrapped");
                return [.. openssl.Read("encrypted-aes-key"), .. openssl.Read("wrapped")];
            case "SM2PKE":
                openssl.Run("pkeyutl", "-encrypt", "-pubin", "-inkey", publicKey, "-in", "material", "-out", "encrypted");
                return openssl.Read("encrypted");
            default:
                throw new ArgumentException($"no openssl route for {wrappingAlgorithm}");
        }
    }

    /// <summary>A private key made by <c>openssl genpkey</c>, as DER PKCS#8 (<c>generated.der</c>).</summary>
    public static byte[] GeneratedPrivateKey(OpenSsl openssl, params string[] genpkeyOptions)
    {
        // genpkey writes PKCS#8 only as PEM; its DER is the algorithm's own form (RFC 5915, PKCS#1).
        openssl.Run(["genpkey", .. genpkeyOptions, "-out", "generated.pem"]);
        openssl.Run("pkcs8", "-topk8", "-nocrypt", "-in", "generated.pem", "-outform", "DER", "-out", "generated.der");
        return openssl.Read("generated.der");
    }

    private static string[] Oaep(string wrappingAlgorithm)
    {
        var md = wrappingAlgorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? "sha1" : "sha256";
        return ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", $"rsa_oaep_md:{md}", "-pkeyopt", $"rsa_mgf1_md:{md}"];
    }
}
