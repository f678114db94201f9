namespace Coffer.Crypto.Tests;

public class ShamirTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 5)]
    [InlineData(5, 5)]
    public void Any_threshold_of_the_shares_rebuild_the_secret(int threshold, int shares)
    {
        using var secret = SecretBytes.Random(32);
        var parts = Shamir.Split(secret, shares, threshold);

        foreach (var subset in Subsets(parts, threshold))
        {
            using var rebuilt = Shamir.Combine(subset);
            Assert.Equal(secret.Span.ToArray(), rebuilt.Span.ToArray());
        }
    }

    [Fact]
    public void A_split_with_fixed_coefficients_gives_the_independently_computed_shares()
    {
        // f(x) = secret + a1 x + a2 x^2 per byte; the shares were computed by the Python script named in Gf256Tests.
        using var secret = SecretBytes.CopyOf([0x00, 0x42, 0xFF, 0x53]);
        byte[][] coefficients = [[0x01, 0x02], [0x53, 0xCA], [0xFF, 0x00], [0x9A, 0x3B]];
        string[] expected = ["03DB00F2", "0AE11A90", "0978E531", "24012E90", "2798D131"];
        var next = 0;

        var parts = Shamir.Split(secret, 5, 3, c => coefficients[next++].CopyTo(c));

        Assert.Equal(expected, parts.Select(p => Convert.ToHexString(p.Y.Span)));
        Assert.Equal([1, 2, 3, 4, 5], parts.Select(p => (int)p.X));
        using var fromPython = Shamir.Combine([
            new Shamir.Share(5, SecretBytes.CopyOf(Convert.FromHexString(expected[4]))),
            new Shamir.Share(2, SecretBytes.CopyOf(Convert.FromHexString(expected[1]))),
            new Shamir.Share(4, SecretBytes.CopyOf(Convert.FromHexString(expected[3]))),
        ]);
        Assert.Equal("0042FF53", Convert.ToHexString(fromPython.Span));
    }

    [Fact]
    public void Fewer_shares_than_the_threshold_give_something_else()
    {
        using var secret = SecretBytes.Random(32);
        var parts = Shamir.Split(secret, 5, 3);

        using var rebuilt = Shamir.Combine(parts.Take(2).ToList());

        Assert.NotEqual(secret.Span.ToArray(), rebuilt.Span.ToArray());
    }

    [Fact]
    public void A_share_alone_says_nothing_recognisable_about_the_secret()
    {
        using var secret = SecretBytes.CopyOf(new byte[32]);
        var parts = Shamir.Split(secret, 3, 2);

        Assert.All(parts, p => Assert.NotEqual(new byte[32], p.Y.Span.ToArray()));
    }

    [Fact]
    public void Shares_round_trip_through_their_text_form_and_a_typo_is_caught()
    {
        using var secret = SecretBytes.Random(32);
        var share = Shamir.Split(secret, 3, 2)[1];

        using var text = ShareText.Encode(share);
        using var decoded = ShareText.Decode(text.Span);

        Assert.True(text.Span.StartsWith("coffer-share-v1:"u8));
        Assert.NotNull(decoded);
        Assert.Equal(share.X, decoded.X);
        Assert.Equal(share.Y.Span.ToArray(), decoded.Y.Span.ToArray());
        var typo = text.ToArray();
        typo[^3] = (byte)(typo[^3] == 'A' ? 'B' : 'A');
        Assert.Null(ShareText.Decode(typo));
        Assert.Null(ShareText.Decode([.. text.Span, (byte)'A']));
        Assert.Null(ShareText.Decode("not a share"u8));
        Assert.Null(ShareText.Decode("coffer-share-v1:AAAA"u8));
    }

    [Fact]
    public void A_share_matches_only_its_own_fingerprint_at_its_own_place()
    {
        using var secret = SecretBytes.Random(32);
        var shares = Shamir.Split(secret, 3, 2);
        var fingerprints = shares.SelectMany(ShareText.Fingerprint).ToArray();

        Assert.All(shares, share => Assert.True(ShareText.MatchesFingerprint(share, fingerprints)));
        Assert.False(ShareText.MatchesFingerprint(shares[2], fingerprints.AsSpan(0, 2 * ShareText.FingerprintSize)));
        var swapped = fingerprints.AsSpan(ShareText.FingerprintSize, ShareText.FingerprintSize).ToArray().Concat(fingerprints.AsSpan(0, ShareText.FingerprintSize).ToArray()).ToArray();
        Assert.False(ShareText.MatchesFingerprint(shares[0], swapped));
    }

    private static IEnumerable<List<Shamir.Share>> Subsets(IReadOnlyList<Shamir.Share> items, int size)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }

        for (var i = 0; i <= items.Count - size; i++)
        {
            foreach (var rest in Subsets(items.Skip(i + 1).ToList(), size - 1))
            {
                yield return [items[i], .. rest];
            }
        }
    }
}
