using System.Security.Cryptography;

namespace Coffer.Crypto.Tests;

public class RecordBarrierTests
{
    [Fact]
    public void A_sealed_record_opens_under_its_own_id()
    {
        using var barrier = new RecordBarrier(SecretBytes.Random(32), 1);
        var blob = barrier.Seal("key-material:a:v1", "secret"u8);

        using var opened = barrier.Open("key-material:a:v1", blob);

        Assert.Equal("secret"u8.ToArray(), opened.Span.ToArray());
    }

    [Fact]
    public void A_record_moved_to_another_id_does_not_open()
    {
        using var barrier = new RecordBarrier(SecretBytes.Random(32), 1);
        var blob = barrier.Seal("key-material:a:v1", "secret"u8);

        Assert.Throws<CryptographicException>(() => barrier.Open("key-material:b:v1", blob));
    }

    [Fact]
    public void A_changed_byte_or_unknown_format_does_not_open()
    {
        using var barrier = new RecordBarrier(SecretBytes.Random(32), 1);
        var blob = barrier.Seal("id", "secret"u8);

        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x80;
            Assert.Throws<CryptographicException>(() => barrier.Open("id", tampered));
        }
    }

    [Fact]
    public void The_plaintext_does_not_appear_in_the_sealed_record()
    {
        using var barrier = new RecordBarrier(SecretBytes.Random(32), 1);
        var secret = RandomNumberGenerator.GetBytes(32);

        var blob = barrier.Seal("id", secret);

        Assert.Equal(-1, blob.AsSpan().IndexOf(secret));
    }

    [Fact]
    public void The_dev_seal_unwraps_what_it_wrapped_and_rejects_another_root_key()
    {
        var dir = Directory.CreateTempSubdirectory("coffer-seal-").FullName;
        var otherDir = Directory.CreateTempSubdirectory("coffer-seal-").FullName;
        using var seal = DevFileSeal.OpenOrCreate(dir);
        using var other = DevFileSeal.OpenOrCreate(otherDir);
        using var domainKey = SecretBytes.Random(32);

        var wrapped = seal.WrapDomainKey(domainKey);

        using (var unwrapped = seal.UnwrapDomainKey(wrapped))
        {
            Assert.Equal(domainKey.Span.ToArray(), unwrapped.Span.ToArray());
        }

        Assert.Throws<SealException>(() => other.UnwrapDomainKey(wrapped));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, DevFileSeal.FileName)));
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
