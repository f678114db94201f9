
namespace Coffer.Crypto.Tests;

public class SymmetricCiphertextTests
{
    private static readonly Guid KeyId = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    [Fact]
    public void A_ciphertext_decrypts_under_the_same_material_and_context()
    {
        using var material = SecretBytes.Random(32);
        var context = EncryptionContextEncoding.Encode(new Dictionary<string, string> { ["purpose"] = "test" });
        var blob = SymmetricCiphertext.Encrypt(material, KeyId, 3, "attack at dawn"u8, context);

        using var plaintext = SymmetricCiphertext.TryDecrypt(material, blob, context);

        Assert.NotNull(plaintext);
        Assert.Equal("attack at dawn"u8.ToArray(), plaintext.Span.ToArray());
    }

    [Fact]
    public void The_header_names_the_key_and_material_version()
    {
        using var material = SecretBytes.Random(32);
        var blob = SymmetricCiphertext.Encrypt(material, KeyId, 7, "x"u8, []);

        Assert.True(SymmetricCiphertext.TryReadHeader(blob, out var keyId, out var version));
        Assert.Equal(KeyId, keyId);
        Assert.Equal(7, version);
    }

    [Fact]
    public void The_format_is_frozen_format_byte_then_big_endian_key_id_then_version()
    {
        // Golden layout: changing it breaks every ciphertext users hold. Only add formats.
        using var material = SecretBytes.Random(32);
        var blob = SymmetricCiphertext.Encrypt(material, KeyId, 258, "abc"u8, []);

        Assert.Equal(0x01, blob[0]);
        Assert.Equal(Convert.FromHexString("0f1e2d3c4b5a69788796a5b4c3d2e1f0"), blob[1..17]);
        Assert.Equal(new byte[] { 0, 0, 1, 2 }, blob[17..21]);
        Assert.Equal(1 + 16 + 4 + 16 + 12 + 3 + 16, blob.Length);
    }

    [Fact]
    public void Two_encryptions_of_the_same_plaintext_differ()
    {
        using var material = SecretBytes.Random(32);
        var first = SymmetricCiphertext.Encrypt(material, KeyId, 1, "same"u8, []);
        var second = SymmetricCiphertext.Encrypt(material, KeyId, 1, "same"u8, []);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Changing_any_single_byte_makes_decryption_fail()
    {
        using var material = SecretBytes.Random(32);
        var blob = SymmetricCiphertext.Encrypt(material, KeyId, 1, "sensitive data"u8, []);

        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;
            Assert.Null(SymmetricCiphertext.TryDecrypt(material, tampered, []));
        }
    }

    [Fact]
    public void A_truncated_or_extended_blob_fails()
    {
        using var material = SecretBytes.Random(32);
        var blob = SymmetricCiphertext.Encrypt(material, KeyId, 1, "sensitive data"u8, []);

        Assert.Null(SymmetricCiphertext.TryDecrypt(material, blob[..^1], []));
        Assert.Null(SymmetricCiphertext.TryDecrypt(material, [.. blob, 0], []));
        Assert.Null(SymmetricCiphertext.TryDecrypt(material, blob[..10], []));
        Assert.False(SymmetricCiphertext.TryReadHeader(blob[..10], out _, out _));
    }

    [Fact]
    public void Another_encryption_context_or_none_fails()
    {
        using var material = SecretBytes.Random(32);
        var context = EncryptionContextEncoding.Encode(new Dictionary<string, string> { ["a"] = "b" });
        var blob = SymmetricCiphertext.Encrypt(material, KeyId, 1, "data"u8, context);

        Assert.Null(SymmetricCiphertext.TryDecrypt(material, blob, []));
        Assert.Null(SymmetricCiphertext.TryDecrypt(material, blob, EncryptionContextEncoding.Encode(new Dictionary<string, string> { ["a"] = "c" })));
    }

    [Fact]
    public void Other_material_fails()
    {
        using var material = SecretBytes.Random(32);
        using var other = SecretBytes.Random(32);
        var blob = SymmetricCiphertext.Encrypt(material, KeyId, 1, "data"u8, []);

        Assert.Null(SymmetricCiphertext.TryDecrypt(other, blob, []));
    }

    [Fact]
    public void An_empty_plaintext_round_trips()
    {
        using var material = SecretBytes.Random(32);
        var blob = SymmetricCiphertext.Encrypt(material, KeyId, 1, [], []);

        using var plaintext = SymmetricCiphertext.TryDecrypt(material, blob, []);

        Assert.NotNull(plaintext);
        Assert.Equal(0, plaintext.Length);
    }
}
