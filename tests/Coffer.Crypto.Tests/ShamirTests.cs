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

        var text = ShamirSeal.Encode(share);
        using var decoded = ShamirSeal.Decode(text);

        Assert.StartsWith("coffer-share-v1:", text, StringComparison.Ordinal);
        Assert.NotNull(decoded);
        Assert.Equal(share.X, decoded.X);
        Assert.Equal(share.Y.Span.ToArray(), decoded.Y.Span.ToArray());
        var typo = text[..^3] + (text[^3] == 'A' ? 'B' : 'A') + text[^2..];
        Assert.Null(ShamirSeal.Decode(typo));
        Assert.Null(ShamirSeal.Decode("not a share"));
        Assert.Null(ShamirSeal.Decode("coffer-share-v1:AAAA"));
    }

    [Fact]
    public void The_shamir_seal_unwraps_only_with_the_right_root_key()
    {
        var (seal, shares) = ShamirSeal.Create(3, 2);
        using var domainKey = SecretBytes.Random(32);
        var wrapped = seal.WrapDomainKey(domainKey);

        using (var rebuilt = Shamir.Combine([shares[0], shares[2]]))
        using (var again = new ShamirSeal(SecretBytes.CopyOf(rebuilt.Span)))
        using (var unwrapped = again.UnwrapDomainKey(wrapped))
        {
            Assert.Equal(domainKey.Span.ToArray(), unwrapped.Span.ToArray());
        }

        using var wrong = new ShamirSeal(SecretBytes.Random(32));
        Assert.Throws<SealException>(() => wrong.UnwrapDomainKey(wrapped));
        seal.Dispose();
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
