using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Coffer.Crypto.Import;
using Coffer.Crypto.Tests.Asymmetric;

namespace Coffer.Crypto.Tests.Import;

public partial class ImportedMaterialIdTests
{
    private const string KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";

    [Fact]
    public void The_id_is_64_lowercase_hex_characters_and_the_same_for_the_same_key_and_material()
    {
        var material = RandomNumberGenerator.GetBytes(32);

        var id = ImportedMaterialId.Of(KeyId, material);

        Assert.Matches(LowercaseHex64(), id);
        Assert.Equal(id, ImportedMaterialId.Of(KeyId, (byte[])material.Clone()));
    }

    [Fact]
    public void Another_key_or_other_material_gives_another_id()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var changed = (byte[])material.Clone();
        changed[^1] ^= 0x01;

        var id = ImportedMaterialId.Of(KeyId, material);

        Assert.NotEqual(id, ImportedMaterialId.Of("1234abcd-12ab-34cd-56ef-1234567890ac", material));
        Assert.NotEqual(id, ImportedMaterialId.Of(KeyId, changed));
        Assert.NotEqual(id, ImportedMaterialId.Of(KeyId, material[..^1]));
    }

    [Fact]
    public void The_id_is_openssls_hmac_sha256_keyed_with_the_key_id_over_the_material()
    {
        using var openssl = new OpenSsl();
        var material = RandomNumberGenerator.GetBytes(48);
        openssl.File("material", material);

        var output = openssl.Run("dgst", "-sha256", "-mac", "HMAC", "-macopt", $"key:{KeyId}", "-r", "material");

        Assert.Equal(output.Split(' ')[0], ImportedMaterialId.Of(KeyId, material));
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex LowercaseHex64();
}
