using System.Text.Json;

namespace Coffer.Server.IntegrationTests;

/// <summary>The AWS CLI rotating a key's material, as docs/key-material.md shows it.</summary>
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
}
