using System.Text.Json;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>The AWS CLI rotating, importing and deleting key material, as docs/key-material.md shows it.</summary>
public sealed class AwsCliKeyMaterialTests(AwsCliDriver.DevServer server) : AwsCliDriver(server), IClassFixture<AwsCliDriver.DevServer>
{
    private async Task<string> FileAsync(string name, byte[] contents)
    {
        var path = Path.Combine(DataDir, $"{Guid.NewGuid():N}-{name}");
        await File.WriteAllBytesAsync(path, contents);
        return $"fileb://{path}";
    }

    private static byte[] Blob(JsonElement response, string member) => Convert.FromBase64String(response.GetProperty(member).GetString()!);

    [Fact]
    public async Task A_key_rotated_on_demand_with_the_aws_cli_still_decrypts_its_old_ciphertexts()
    {
        var keyId = (await OkAsync("kms", "create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        var old = Blob(await OkAsync("kms", "encrypt", "--key-id", keyId, "--plaintext", await FileAsync("old.txt", "before"u8.ToArray())), "CiphertextBlob");

        await OkAsync("kms", "enable-key-rotation", "--key-id", keyId, "--rotation-period-in-days", "180");
        await OkAsync("kms", "rotate-key-on-demand", "--key-id", keyId);
        var status = await OkAsync("kms", "get-key-rotation-status", "--key-id", keyId);
        var rotations = (await OkAsync("kms", "list-key-rotations", "--key-id", keyId)).GetProperty("Rotations");
        var decrypted = await OkAsync("kms", "decrypt", "--ciphertext-blob", await FileAsync("old.enc", old));
        var current = (await OkAsync("kms", "describe-key", "--key-id", keyId)).GetProperty("KeyMetadata").GetProperty("CurrentKeyMaterialId").GetString();

        Assert.True(status.GetProperty("KeyRotationEnabled").GetBoolean());
        Assert.Equal(180, status.GetProperty("RotationPeriodInDays").GetInt32());
        var rotation = Assert.Single(rotations.EnumerateArray());
        Assert.Equal("ON_DEMAND", rotation.GetProperty("RotationType").GetString());
        Assert.Equal(current, rotation.GetProperty("KeyMaterialId").GetString());
        Assert.Equal("before"u8.ToArray(), Blob(decrypted, "Plaintext"));
        Assert.NotEqual(current, decrypted.GetProperty("KeyMaterialId").GetString());
    }

    [Fact]
    public async Task Material_wrapped_by_OpenSSL_imports_with_the_aws_cli_and_comes_back_after_deletion()
    {
        var keyId = (await OkAsync("kms", "create-key", "--origin", "EXTERNAL")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        var material = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        async Task ImportAsync()
        {
            var parameters = await OkAsync("kms", "get-parameters-for-import", "--key-id", keyId, "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_3072");
            var wrapped = await OpenSsl.WrapForImportAsync(Blob(parameters, "PublicKey"), "RSAES_OAEP_SHA_256", material);
            await OkAsync("kms", "import-key-material", "--key-id", keyId, "--import-token", await FileAsync("token.bin", Blob(parameters, "ImportToken")),
                "--encrypted-key-material", await FileAsync("material.enc", wrapped), "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE");
        }

        await ImportAsync();
        var blob = Blob(await OkAsync("kms", "encrypt", "--key-id", keyId, "--plaintext", await FileAsync("p.txt", "imported"u8.ToArray())), "CiphertextBlob");
        var blobFile = await FileAsync("c.enc", blob);
        Assert.Equal("imported"u8.ToArray(), Blob(await OkAsync("kms", "decrypt", "--ciphertext-blob", blobFile), "Plaintext"));

        await OkAsync("kms", "delete-imported-key-material", "--key-id", keyId);
        var (exitCode, _, stderr) = await AwsAsync("kms", "decrypt", "--ciphertext-blob", blobFile);
        var state = (await OkAsync("kms", "describe-key", "--key-id", keyId)).GetProperty("KeyMetadata").GetProperty("KeyState").GetString();
        await ImportAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("KMSInvalidStateException", stderr, StringComparison.Ordinal);
        Assert.Equal("PendingImport", state);
        Assert.Equal("imported"u8.ToArray(), Blob(await OkAsync("kms", "decrypt", "--ciphertext-blob", blobFile), "Plaintext"));
    }
}
