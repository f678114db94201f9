namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>OpenSSL's command line, the independent check of what Coffer signs, decrypts and derives. Missing OpenSSL fails the test.</summary>
public static class OpenSsl
{
    /// <summary>Whether OpenSSL accepts <paramref name="signature"/> over <paramref name="message"/> under the DER SubjectPublicKeyInfo <paramref name="spki"/>.</summary>
    public static async Task<bool> VerifiesAsync(byte[] spki, string signingAlgorithm, byte[] message, byte[] signature)
    {
        using var scratch = new Scratch();
        var pub = await scratch.PublicKeyPemAsync(spki);
        var (msg, sig) = (await scratch.WriteAsync("msg.bin", message), await scratch.WriteAsync("sig.bin", signature));
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

    /// <summary>Encrypts <paramref name="plaintext"/> with RSA-OAEP or SM2 under the DER SubjectPublicKeyInfo <paramref name="spki"/>, as a client that holds only the public key does.</summary>
    public static async Task<byte[]> EncryptAsync(byte[] spki, string encryptionAlgorithm, byte[] plaintext)
    {
        using var scratch = new Scratch();
        var pub = await scratch.PublicKeyPemAsync(spki);
        var (input, output) = (await scratch.WriteAsync("in.bin", plaintext), scratch.PathOf("out.bin"));
        var md = encryptionAlgorithm == "RSAES_OAEP_SHA_1" ? "sha1" : "sha256";
        string[] options = encryptionAlgorithm == "SM2PKE" ? [] : ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", $"rsa_oaep_md:{md}", "-pkeyopt", $"rsa_mgf1_md:{md}"];
        var encrypted = await Repo.RunAsync("openssl", ["pkeyutl", "-encrypt", "-pubin", "-inkey", pub, .. options, "-in", input, "-out", output]);
        Assert.True(encrypted.ExitCode == 0, $"openssl could not encrypt: {encrypted.Stderr}");
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>OpenSSL's ECDH secret between a PEM PKCS#8 private key and a peer's DER SubjectPublicKeyInfo: what the holder of the private key derives.</summary>
    public static async Task<byte[]> DeriveAsync(string privateKeyPem, byte[] peerSpki)
    {
        using var scratch = new Scratch();
        var peer = await scratch.PublicKeyPemAsync(peerSpki);
        var (key, output) = (await scratch.WriteAsync("key.pem", System.Text.Encoding.ASCII.GetBytes(privateKeyPem)), scratch.PathOf("secret.bin"));
        var derived = await Repo.RunAsync("openssl", ["pkeyutl", "-derive", "-inkey", key, "-peerkey", peer, "-out", output]);
        Assert.True(derived.ExitCode == 0, $"openssl could not derive: {derived.Stderr}");
        return await File.ReadAllBytesAsync(output);
    }

    private static string Digest(string signingAlgorithm) => "-" + signingAlgorithm[^3..] switch
    {
        "256" => "sha256",
        "384" => "sha384",
        "512" => "sha512",
        var other => throw new ArgumentException($"no digest for {other}"),
    };

    /// <summary>A folder for one OpenSSL exchange, removed afterwards.</summary>
    private sealed class Scratch : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("coffer-openssl-");

        public string PathOf(string name) => Path.Combine(_dir.FullName, name);

        public async Task<string> WriteAsync(string name, byte[] bytes)
        {
            await File.WriteAllBytesAsync(PathOf(name), bytes);
            return PathOf(name);
        }

        /// <summary>The DER SubjectPublicKeyInfo as a PEM file, which is how OpenSSL's commands take a public key.</summary>
        public async Task<string> PublicKeyPemAsync(byte[] spki)
        {
            var (der, pem) = (await WriteAsync("pub.der", spki), PathOf("pub.pem"));
            var converted = await Repo.RunAsync("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", der, "-out", pem]);
            Assert.True(converted.ExitCode == 0, $"openssl could not read the public key: {converted.Stderr}");
            return pem;
        }

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
