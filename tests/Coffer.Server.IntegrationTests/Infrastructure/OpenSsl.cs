namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>OpenSSL's command line, the independent check of what Coffer signs. Missing OpenSSL fails the test.</summary>
public static class OpenSsl
{
    /// <summary>Whether OpenSSL accepts <paramref name="signature"/> over <paramref name="message"/> under the DER SubjectPublicKeyInfo <paramref name="spki"/>.</summary>
    public static async Task<bool> VerifiesAsync(byte[] spki, string signingAlgorithm, byte[] message, byte[] signature)
    {
        var dir = Directory.CreateTempSubdirectory("coffer-openssl-");
        try
        {
            string File(string name, byte[] bytes)
            {
                var path = Path.Combine(dir.FullName, name);
                System.IO.File.WriteAllBytes(path, bytes);
                return path;
            }

            var pub = Path.Combine(dir.FullName, "pub.pem");
            var converted = await Repo.RunAsync("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", File("pub.der", spki), "-out", pub]);
            Assert.True(converted.ExitCode == 0, $"openssl could not read the public key: {converted.Stderr}");
            var (msg, sig) = (File("msg.bin", message), File("sig.bin", signature));
            string[] args = signingAlgorithm switch
            {
                "ED25519_SHA_512" => ["pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", msg, "-sigfile", sig],
                "SM2DSA" => ["dgst", "-sm3", "-verify", pub, "-sigopt", "distid:1234567812345678", "-signature", sig, msg],
                _ when signingAlgorithm.StartsWith("RSASSA_PSS_", StringComparison.Ordinal) =>
                    ["dgst", Digest(signingAlgorithm), "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-1", "-verify", pub, "-signature", sig, msg],
                _ => ["dgst", Digest(signingAlgorithm), "-verify", pub, "-signature", sig, msg],
            };
            var (exitCode, _, _) = await Repo.RunAsync("openssl", args);
            return exitCode == 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Encrypts <paramref name="plaintext"/> with RSA-OAEP or SM2 under the DER SubjectPublicKeyInfo <paramref name="spki"/>, as a client that holds only the public key does.</summary>
    public static async Task<byte[]> EncryptAsync(byte[] spki, string encryptionAlgorithm, byte[] plaintext)
    {
        var dir = Directory.CreateTempSubdirectory("coffer-openssl-");
        try
        {
            var (der, pub, input, output) = (Path.Combine(dir.FullName, "pub.der"), Path.Combine(dir.FullName, "pub.pem"),
                Path.Combine(dir.FullName, "in.bin"), Path.Combine(dir.FullName, "out.bin"));
            await File.WriteAllBytesAsync(der, spki);
            await File.WriteAllBytesAsync(input, plaintext);
            Assert.Equal(0, (await Repo.RunAsync("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", der, "-out", pub])).ExitCode);
            var md = encryptionAlgorithm == "RSAES_OAEP_SHA_1" ? "sha1" : "sha256";
            string[] options = encryptionAlgorithm == "SM2PKE" ? [] : ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", $"rsa_oaep_md:{md}", "-pkeyopt", $"rsa_mgf1_md:{md}"];
            var encrypted = await Repo.RunAsync("openssl", ["pkeyutl", "-encrypt", "-pubin", "-inkey", pub, .. options, "-in", input, "-out", output]);
            Assert.True(encrypted.ExitCode == 0, $"openssl could not encrypt: {encrypted.Stderr}");
            return await File.ReadAllBytesAsync(output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Digest(string signingAlgorithm) => "-" + signingAlgorithm[^3..] switch
    {
        "256" => "sha256",
        "384" => "sha384",
        "512" => "sha512",
        var other => throw new ArgumentException($"no digest for {other}"),
    };
}
