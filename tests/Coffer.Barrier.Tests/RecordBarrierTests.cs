using System.Security.Cryptography;
using Coffer.Crypto;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Barrier.Tests;

public class RecordBarrierTests
{
    [Fact]
    public void Record_ids_are_the_strings_stored_records_were_bound_to()
    {
        // Every stored record's tag covers its id: these strings may never change.
        Assert.Equal("key-material:arn:aws:kms:us-east-1:111122223333:key/k:v3", RecordIds.KeyMaterial("arn:aws:kms:us-east-1:111122223333:key/k", 3));
        Assert.Equal("access-key-secret:AKIAEXAMPLE", RecordIds.AccessKeySecret("AKIAEXAMPLE"));
        Assert.Equal("audit-signing-key", RecordIds.AuditSigningKey);
    }

    [Fact]
    public void During_a_rotation_records_of_both_versions_decrypt_and_new_ones_use_the_new_version()
    {
        using var first = new RecordBarrier(SecretBytes.Random(32), 1);
        var old = first.Encrypt("id", "old"u8);
        using var rotating = first.WithNewCurrent(SecretBytes.Random(32), 2);
        var fresh = rotating.Encrypt("id", "new"u8);

        using (var a = rotating.Decrypt("id", old))
        using (var b = rotating.Decrypt("id", fresh))
        {
            Assert.Equal("old"u8.ToArray(), a.Span.ToArray());
            Assert.Equal("new"u8.ToArray(), b.Span.ToArray());
        }

        Assert.Equal(2u, RecordBarrier.VersionOf(fresh));
        using var retired = rotating.CurrentOnly();
        Assert.Throws<CryptographicException>(() => retired.Decrypt("id", old));
    }

    [Fact]
    public void Clearing_the_keyring_seals_the_server_and_tells_its_followers()
    {
        using var keyring = new Keyring(TimeProvider.System);
        var cleared = 0;
        keyring.Cleared += () => cleared++;
        keyring.Install(new RecordBarrier(SecretBytes.Random(32), 1));
        Assert.False(keyring.IsSealed);

        keyring.Clear();

        Assert.True(keyring.IsSealed);
        Assert.Equal(1, cleared);
        Assert.Throws<SealedException>(() => keyring.Barrier);
    }

    [Fact]
    public async Task A_replaced_barrier_stays_usable_for_its_grace_on_the_keyrings_clock()
    {
        var clock = new FakeTimeProvider();
        using var keyring = new Keyring(clock);
        var old = new RecordBarrier(SecretBytes.Random(32), 1);
        keyring.Install(old);
        var record = old.Encrypt("id", "x"u8);

        keyring.Replace(old.WithNewCurrent(SecretBytes.Random(32), 2));
        clock.Advance(Keyring.RetiredBarrierGrace - TimeSpan.FromSeconds(1));
        using (var stillThere = old.Decrypt("id", record))
        {
            Assert.Equal("x"u8.ToArray(), stillThere.Span.ToArray());
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => Throws(() => old.Decrypt("id", record).Dispose()));
    }

    private static bool Throws(Action action)
    {
        try
        {
            action();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        // The zeroing runs as a continuation of the timer: give the thread pool a moment.
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
