using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>The AWS CLI with every kind of key that is not symmetric: signing keys of each family, RSA encryption, HMAC, key agreement and data key pairs.</summary>
public sealed class AwsCliKeySpecTests(AwsCliDriver.DevServer server) : AwsCliDriver(server), IClassFixture<AwsCliDriver.DevServer>
{
    private async Task<string> CreateKeyAsync(string spec, string usage, params string[] options) =>
        (await OkAsync(["kms", "create-key", "--key-spec", spec, "--key-usage", usage, .. options])).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;

    private async Task<string> FileAsync(string name, byte[] contents)
    {
        var path = Path.Combine(DataDir, $"{Guid.NewGuid():N}-{name}");
        await File.WriteAllBytesAsync(path, contents);
        return $"fileb://{path}";
    }

    private static byte[] Blob(JsonElement response, string member) => Convert.FromBase64String(response.GetProperty(member).GetString()!);

    /// <summary>Every signing key spec once; DIGEST rows sign a SHA-512 digest. OpenSSL 3.0 has neither ML-DSA nor Ed25519ph, so those rows have no OpenSSL check.</summary>
    [Theory]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "RAW", true)]
    [InlineData("RSA_3072", "RSASSA_PSS_SHA_384", "RAW", true)]
    [InlineData("RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512", "RAW", true)]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_384", "RAW", true)]
    [InlineData("ECC_NIST_P521", "ECDSA_SHA_512", "RAW", true)]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_256", "RAW", true)]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "RAW", true)]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "DIGEST", false)]
    [InlineData("ML_DSA_44", "ML_DSA_SHAKE_256", "RAW", false)]
    [InlineData("ML_DSA_65", "ML_DSA_SHAKE_256", "RAW", false)]
    [InlineData("ML_DSA_87", "ML_DSA_SHAKE_256", "RAW", false)]
    public async Task The_aws_cli_signs_and_verifies_with_each_signing_key_spec(string spec, string algorithm, string messageType, bool openSslHasIt)
    {
        var created = (await OkAsync("kms", "create-key", "--key-spec", spec, "--key-usage", "SIGN_VERIFY")).GetProperty("KeyMetadata");
        var keyId = created.GetProperty("KeyId").GetString()!;
        var message = messageType == "DIGEST" ? SHA512.HashData("deploy build 8812"u8) : "deploy build 8812"u8.ToArray();
        var other = messageType == "DIGEST" ? SHA512.HashData("deploy build 8813"u8) : "deploy build 8813"u8.ToArray();
        var messageFile = await FileAsync("message.bin", message);

        var signature = Blob(await OkAsync("kms", "sign", "--key-id", keyId, "--message", messageFile, "--message-type", messageType, "--signing-algorithm", algorithm),
            "Signature");
        var signatureFile = await FileAsync("signature.bin", signature);
        var verified = await OkAsync("kms", "verify", "--key-id", keyId, "--message", messageFile, "--message-type", messageType, "--signing-algorithm", algorithm,
            "--signature", signatureFile);
        var (exitCode, _, stderr) = await AwsAsync("kms", "verify", "--key-id", keyId, "--message", await FileAsync("other.bin", other), "--message-type", messageType,
            "--signing-algorithm", algorithm, "--signature", signatureFile);

        Assert.Equal(spec, created.GetProperty("KeySpec").GetString());
        Assert.Contains(algorithm, created.GetProperty("SigningAlgorithms").EnumerateArray().Select(a => a.GetString()));
        Assert.True(verified.GetProperty("SignatureValid").GetBoolean());
        Assert.NotEqual(0, exitCode);
        Assert.Contains("KMSInvalidSignatureException", stderr, StringComparison.Ordinal);
        if (openSslHasIt)
        {
            var publicKey = await OkAsync("kms", "get-public-key", "--key-id", keyId);
            Assert.Equal(spec, publicKey.GetProperty("KeySpec").GetString());
            Assert.True(await OpenSsl.VerifiesAsync(Blob(publicKey, "PublicKey"), algorithm, message, signature), $"OpenSSL refused the {algorithm} signature the CLI got");
        }
    }

    [Fact]
    public async Task The_aws_cli_signs_and_decrypts_with_SM2_keys_in_a_China_Region()
    {
        const string region = "cn-north-1";
        var signing = await CreateKeyAsync("SM2", "SIGN_VERIFY", "--region", region);
        var encrypting = await CreateKeyAsync("SM2", "ENCRYPT_DECRYPT", "--region", region);
        var message = "transfer 100 CNY"u8.ToArray();
        var messageFile = await FileAsync("message.txt", message);

        var signingKey = Blob(await OkAsync("kms", "get-public-key", "--region", region, "--key-id", signing), "PublicKey");
        var signature = Blob(await OkAsync("kms", "sign", "--region", region, "--key-id", signing, "--message", messageFile, "--signing-algorithm", "SM2DSA"), "Signature");
        var verified = await OkAsync("kms", "verify", "--region", region, "--key-id", signing, "--message", messageFile, "--signing-algorithm", "SM2DSA",
            "--signature", await FileAsync("signature.bin", signature));
        var encryptingKey = await OkAsync("kms", "get-public-key", "--region", region, "--key-id", encrypting);
        var ciphertext = await OpenSsl.EncryptAsync(Blob(encryptingKey, "PublicKey"), "SM2PKE", message);
        var decrypted = await OkAsync("kms", "decrypt", "--region", region, "--key-id", encrypting, "--ciphertext-blob", await FileAsync("message.enc", ciphertext),
            "--encryption-algorithm", "SM2PKE");

        Assert.True(verified.GetProperty("SignatureValid").GetBoolean());
        Assert.True(await OpenSsl.VerifiesAsync(signingKey, "SM2DSA", message, signature), "OpenSSL refused the SM2DSA signature the CLI got");
        Assert.Equal(["SM2PKE"], encryptingKey.GetProperty("EncryptionAlgorithms").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(message, Blob(decrypted, "Plaintext"));
        Assert.Equal("SM2PKE", decrypted.GetProperty("EncryptionAlgorithm").GetString());
        Assert.Matches($"^arn:[a-z-]+:kms:{region}:[0-9]{{12}}:key/{encrypting}$", decrypted.GetProperty("KeyId").GetString());
    }

    [Fact]
    public async Task The_aws_cli_decrypts_what_OpenSSL_encrypts_with_an_RSA_public_key()
    {
        var keyId = await CreateKeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var publicKey = Blob(await OkAsync("kms", "get-public-key", "--key-id", keyId), "PublicKey");
        var ciphertext = await OpenSsl.EncryptAsync(publicKey, "RSAES_OAEP_SHA_256", "db password"u8.ToArray());

        var decrypted = await OkAsync("kms", "decrypt", "--key-id", keyId, "--ciphertext-blob", await FileAsync("secret.enc", ciphertext),
            "--encryption-algorithm", "RSAES_OAEP_SHA_256");
        var (exitCode, _, stderr) = await AwsAsync("kms", "encrypt", "--key-id", keyId, "--plaintext", await FileAsync("p.bin", [1, 2]));

        Assert.Equal("db password"u8.ToArray(), Blob(decrypted, "Plaintext"));
        Assert.Equal("RSAES_OAEP_SHA_256", decrypted.GetProperty("EncryptionAlgorithm").GetString());
        Assert.NotEqual(0, exitCode);
        Assert.Contains("InvalidKeyUsageException", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_aws_cli_makes_and_checks_an_HMAC_and_a_data_key_pair()
    {
        var hmac = await CreateKeyAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        var symmetric = (await OkAsync("kms", "create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        var messageFile = await FileAsync("message.txt", "session 42"u8.ToArray());

        var mac = Blob(await OkAsync("kms", "generate-mac", "--key-id", hmac, "--message", messageFile, "--mac-algorithm", "HMAC_SHA_256"), "Mac");
        var valid = await OkAsync("kms", "verify-mac", "--key-id", hmac, "--message", messageFile, "--mac-algorithm", "HMAC_SHA_256", "--mac", await FileAsync("mac.bin", mac));
        var pair = await OkAsync("kms", "generate-data-key-pair", "--key-id", symmetric, "--key-pair-spec", "ECC_NIST_P256");
        var opened = await OkAsync("kms", "decrypt", "--ciphertext-blob", await FileAsync("private.enc", Blob(pair, "PrivateKeyCiphertextBlob")));

        Assert.Equal(32, mac.Length);
        Assert.True(valid.GetProperty("MacValid").GetBoolean());
        Assert.Equal(Blob(pair, "PrivateKeyPlaintext"), Blob(opened, "Plaintext"));
        using var ecdsa = System.Security.Cryptography.ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Blob(pair, "PrivateKeyPlaintext"), out _);
        Assert.Equal(Blob(pair, "PublicKey"), ecdsa.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task The_aws_cli_derives_the_secret_OpenSSL_derives()
    {
        var keyId = await CreateKeyAsync("ECC_NIST_P384", "KEY_AGREEMENT");
        var kmsPublic = Blob(await OkAsync("kms", "get-public-key", "--key-id", keyId), "PublicKey");
        using var peer = System.Security.Cryptography.ECDiffieHellman.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);

        var derived = await OkAsync("kms", "derive-shared-secret", "--key-id", keyId, "--key-agreement-algorithm", "ECDH",
            "--public-key", await FileAsync("peer.der", peer.ExportSubjectPublicKeyInfo()));

        Assert.Equal(await OpenSsl.DeriveAsync(peer.ExportPkcs8PrivateKeyPem(), kmsPublic), Blob(derived, "SharedSecret"));
    }
}
