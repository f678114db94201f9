using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>The AWS CLI signs with a Coffer key pair: get-public-key, sign and verify, checked by OpenSSL.</summary>
public sealed class AwsCliSigningTests(AwsCliDriver.DevServer server) : AwsCliDriver(server), IClassFixture<AwsCliDriver.DevServer>
{
    [Fact]
    public async Task The_aws_cli_gets_the_public_key_signs_and_verifies()
    {
        var keyId = (await OkAsync("kms", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        var messageFile = Path.Combine(DataDir, "cli-message.txt");
        await File.WriteAllTextAsync(messageFile, "release v1.2.3");

        var publicKey = await OkAsync("kms", "get-public-key", "--key-id", keyId);
        var signed = await OkAsync("kms", "sign", "--key-id", keyId, "--message", $"fileb://{messageFile}", "--message-type", "RAW",
            "--signing-algorithm", "ECDSA_SHA_256");
        var signature = signed.GetProperty("Signature").GetString()!;
        var signatureFile = Path.Combine(DataDir, "cli-signature.bin");
        await File.WriteAllBytesAsync(signatureFile, Convert.FromBase64String(signature));
        var verified = await OkAsync("kms", "verify", "--key-id", keyId, "--message", $"fileb://{messageFile}", "--message-type", "RAW",
            "--signing-algorithm", "ECDSA_SHA_256", "--signature", $"fileb://{signatureFile}");
        var (exitCode, _, stderr) = await AwsAsync("kms", "verify", "--key-id", keyId, "--message", "fileb:///dev/null", "--message-type", "DIGEST",
            "--signing-algorithm", "ECDSA_SHA_256", "--signature", $"fileb://{signatureFile}");

        Assert.Equal("ECC_NIST_P256", publicKey.GetProperty("KeySpec").GetString());
        Assert.Equal("SIGN_VERIFY", publicKey.GetProperty("KeyUsage").GetString());
        Assert.True(await OpenSsl.VerifiesAsync(Convert.FromBase64String(publicKey.GetProperty("PublicKey").GetString()!), "ECDSA_SHA_256",
            "release v1.2.3"u8.ToArray(), Convert.FromBase64String(signature)));
        Assert.True(verified.GetProperty("SignatureValid").GetBoolean());
        Assert.NotEqual(0, exitCode);
        Assert.Contains("ValidationException", stderr, StringComparison.Ordinal);
    }
}
