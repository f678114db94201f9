using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto.Tests;

public class RecordCipherTests
{
    private static readonly SecretBytes Key = SecretBytes.Random(32);
    private static readonly Dictionary<uint, SecretBytes> Keys = new() { [1] = Key };

    [Fact]
    public void A_record_decrypts_under_its_own_id()
    {
        var blob = RecordCipher.Encrypt(Key, 1, "key-material:a:v1", "secret"u8);

        using var decrypted = RecordCipher.Decrypt(Keys, "key-material:a:v1", blob);

        Assert.Equal("secret"u8.ToArray(), decrypted.Span.ToArray());
        Assert.Equal(1u, RecordCipher.VersionOf(blob));
    }

    [Fact]
    public void A_record_moved_to_another_id_does_not_decrypt()
    {
        var blob = RecordCipher.Encrypt(Key, 1, "key-material:a:v1", "secret"u8);

        Assert.Throws<CryptographicException>(() => RecordCipher.Decrypt(Keys, "key-material:b:v1", blob));
    }

    [Fact]
    public void A_changed_byte_or_unknown_format_does_not_decrypt()
    {
        var blob = RecordCipher.Encrypt(Key, 1, "id", "secret"u8);

        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x80;
            Assert.Throws<CryptographicException>(() => RecordCipher.Decrypt(Keys, "id", tampered));
        }
    }

    [Fact]
    public void A_record_of_a_key_version_not_given_does_not_decrypt()
    {
        var blob = RecordCipher.Encrypt(Key, 2, "id", "secret"u8);

        Assert.Throws<CryptographicException>(() => RecordCipher.Decrypt(Keys, "id", blob));
    }

    [Fact]
    public void The_plaintext_does_not_appear_in_the_record()
    {
        var secret = RandomNumberGenerator.GetBytes(32);

        var blob = RecordCipher.Encrypt(Key, 1, "id", secret);

        Assert.Equal(-1, blob.AsSpan().IndexOf(secret));
    }

    [Fact]
    public void A_record_built_by_hand_to_the_documented_layout_decrypts()
    {
        // format 1 ‖ version 7 big-endian ‖ nonce ‖ ciphertext ‖ tag, the AAD being the header and the id:
        // data folders written before the barrier moved must still open.
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var nonce = Enumerable.Range(100, 12).Select(i => (byte)i).ToArray();
        byte[] header = [1, 0, 0, 0, 7];
        var plaintext = "material"u8.ToArray();
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var gcm = new AesGcm(key, 16))
        {
            byte[] aad = [.. header, .. Encoding.UTF8.GetBytes("access-key-secret:AKIAEXAMPLE")];
            gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }

        using var decrypted = RecordCipher.Decrypt(new Dictionary<uint, SecretBytes> { [7] = SecretBytes.CopyOf(key) }, "access-key-secret:AKIAEXAMPLE",
            [.. header, .. nonce, .. ciphertext, .. tag]);

        Assert.Equal(plaintext, decrypted.Span.ToArray());
    }

    [Fact]
    public void A_disposed_secret_is_zeroed_and_unreadable()
    {
        var secret = SecretBytes.Random(32);
        secret.Dispose();

        Assert.Throws<ObjectDisposedException>(() => secret.Span.Length);
        Assert.Equal("SecretBytes[32]", secret.ToString());
    }
}
