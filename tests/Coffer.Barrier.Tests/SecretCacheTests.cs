using Coffer.Crypto;
using Coffer.Service;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Barrier.Tests;

/// <summary>The one cache type, as the caches of decrypted secrets (key material, access keys) use it.</summary>
public class SecretCacheTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Keyring _keyring;

    public SecretCacheTests()
    {
        _keyring = new Keyring(_clock);
        _keyring.Install(new RecordBarrier(SecretBytes.Random(32), 1));
    }

    private ExpiringCache<int, SecretBytes> NewCache(int capacity) => new(capacity, TimeSpan.MaxValue, _clock, _keyring, secret => secret);

    [Fact]
    public void No_stream_of_distinct_keys_grows_it_past_its_capacity()
    {
        using var cache = NewCache(100);

        for (var i = 0; i < 10_000; i++)
        {
            cache.Set(i, SecretBytes.Random(8));
            Assert.True(cache.Count <= 100, $"{cache.Count} entries");
        }
    }

    [Fact]
    public async Task An_evicted_secret_is_zeroed_once_its_grace_has_passed()
    {
        using var cache = NewCache(10);
        var first = SecretBytes.Random(8);
        cache.Set(0, first);
        for (var i = 1; !first.IsDisposed && cache.SecretsAwaitingZeroing == 0; i++)
        {
            cache.Set(i, SecretBytes.Random(8));
        }

        // A request that took it a moment before may still be using it.
        Assert.False(first.IsDisposed);
        Assert.False(cache.TryGet(0, out _, out _));

        _clock.Advance(GraceZeroing.Grace);
        await RecordBarrierTests.WaitUntil(() => first.IsDisposed);
        Assert.Equal(0, cache.SecretsAwaitingZeroing);
    }

    [Fact]
    public void A_removed_secret_waits_out_the_grace_too()
    {
        using var cache = NewCache(10);
        var secret = SecretBytes.Random(8);
        cache.Set(1, secret);

        cache.Remove(1);

        Assert.False(secret.IsDisposed);
        Assert.Equal(1, cache.SecretsAwaitingZeroing);
    }

    [Fact]
    public void Sealing_empties_it_and_zeroes_every_secret_at_once_even_those_waiting()
    {
        using var cache = NewCache(10);
        var held = SecretBytes.Random(8);
        var waiting = SecretBytes.Random(8);
        cache.Set(1, held);
        cache.Set(2, waiting);
        cache.Remove(2);

        _keyring.Clear();

        Assert.Equal(0, cache.Count);
        Assert.True(held.IsDisposed);
        Assert.True(waiting.IsDisposed);
        Assert.Equal(0, cache.SecretsAwaitingZeroing);
    }

    [Fact]
    public void A_cache_of_values_without_secrets_is_emptied_on_seal_too()
    {
        using var cache = new ExpiringCache<string, string>(10, TimeSpan.FromSeconds(1), _clock, _keyring);
        cache.Set("policy", "document");

        _keyring.Clear();

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_disposed_cache_no_longer_follows_the_keyring()
    {
        var cache = NewCache(10);
        cache.Dispose();
        var secret = SecretBytes.Random(8);
        cache.Set(1, secret);

        _keyring.Clear();

        Assert.False(secret.IsDisposed);
        secret.Dispose();
    }

    [Fact]
    public void Entries_go_stale_on_the_injected_clock()
    {
        using var cache = new ExpiringCache<string, string>(10, TimeSpan.FromSeconds(1), _clock, _keyring);
        cache.Set("k", "v");
        Assert.True(cache.TryGetFresh("k", out _));

        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(cache.TryGetFresh("k", out _));
        Assert.True(cache.TryGet("k", out _, out var fresh) && !fresh);
    }
}
