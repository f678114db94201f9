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

    /// <summary>
    /// Wraps key material for ImportKeyMaterial under the wrapping public key from
    /// GetParametersForImport, with the commands AWS's Developer Guide gives: RSA-OAEP alone, or
    /// RSA-OAEP of a random AES-256 key followed by the material under AES key wrap with padding.
    /// </summary>
    public static async Task<byte[]> WrapForImportAsync(byte[] wrappingSpki, string wrappingAlgorithm, byte[] material)
    {
        using var scratch = new Scratch();
        var pub = await scratch.PublicKeyPemAsync(wrappingSpki);
        var md = wrappingAlgorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? "sha1" : "sha256";
        string[] oaep = ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", $"rsa_oaep_md:{md}", "-pkeyopt", $"rsa_mgf1_md:{md}"];
        var input = await scratch.WriteAsync("material.bin", material);
        if (wrappingAlgorithm.StartsWith("RSAES_OAEP_", StringComparison.Ordinal))
        {
            await scratch.RunAsync(["pkeyutl", "-encrypt", "-pubin", "-inkey", pub, .. oaep, "-in", input, "-out", scratch.PathOf("wrapped.bin")]);
            return await File.ReadAllBytesAsync(scratch.PathOf("wrapped.bin"));
        }

        await scratch.RunAsync(["rand", "-out", scratch.PathOf("aes.key"), "32"]);
        var aesKey = Convert.ToHexString(await File.ReadAllBytesAsync(scratch.PathOf("aes.key")));
        await scratch.RunAsync(["pkeyutl", "-encrypt", "-pubin", "-inkey", pub, .. oaep, "-in", scratch.PathOf("aes.key"), "-out", scratch.PathOf("aes.enc")]);
        await scratch.RunAsync(["enc", "-id-aes256-wrap-pad", "-iv", "A65959A6", "-K", aesKey, "-in", input, "-out", scratch.PathOf("material.wrapped")]);
        return [.. await File.ReadAllBytesAsync(scratch.PathOf("aes.enc")), .. await File.ReadAllBytesAsync(scratch.PathOf("material.wrapped"))];
    }

    /// <summary>A private key made by <c>openssl genpkey</c>: DER PKCS#8, its DER SubjectPublicKeyInfo, and its PEM for OpenSSL to sign with.</summary>
    public static async Task<(byte[] Pkcs8, byte[] Spki, string Pem)> GenerateKeyAsync(params string[] genpkeyOptions)
    {
        using var scratch = new Scratch();
        var pem = scratch.PathOf("key.pem");
        await scratch.RunAsync(["genpkey", .. genpkeyOptions, "-out", pem]);
        await scratch.RunAsync(["pkcs8", "-topk8", "-nocrypt", "-in", pem, "-outform", "DER", "-out", scratch.PathOf("key.der")]);
        await scratch.RunAsync(["pkey", "-in", pem, "-pubout", "-outform", "DER", "-out", scratch.PathOf("pub.der")]);
        return (await File.ReadAllBytesAsync(scratch.PathOf("key.der")), await File.ReadAllBytesAsync(scratch.PathOf("pub.der")), await File.ReadAllTextAsync(pem));
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

        public async Task RunAsync(string[] args)
        {
            var (exitCode, _, stderr) = await Repo.RunAsync("openssl", args);
            Assert.True(exitCode == 0, $"openssl {args[0]} failed: {stderr}");
        }

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
