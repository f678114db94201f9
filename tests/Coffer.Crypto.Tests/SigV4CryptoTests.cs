using System.Text;

namespace Coffer.Crypto.Tests;

public class SigV4CryptoTests
{
    // The worked example of AWS's "Create a signed AWS API request" guide (IAM ListUsers).
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string ExampleCanonicalRequestHash = "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
    private const string ExampleSignature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    private static string StringToSign => $"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n{ExampleCanonicalRequestHash}";

    [Fact]
    public void The_canonical_request_of_AWS_example_hashes_to_the_published_value()
    {
        const string canonical = "GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        Assert.Equal(ExampleCanonicalRequestHash, SigV4Crypto.Sha256Hex(Encoding.UTF8.GetBytes(canonical)));
    }

    [Fact]
    public void Signing_AWS_example_gives_the_published_signature()
    {
        using var secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(ExampleSecret));

        Assert.Equal(ExampleSignature, SigV4Crypto.Sign(secret, "20150830", "us-east-1", "iam", StringToSign));
    }

    [Fact]
    public void A_signing_key_kept_for_one_scope_answers_for_that_scope_only()
    {
        using var secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(ExampleSecret));

        // The first check keeps the scope's signing key; every later one must answer as a fresh derivation would.
        for (var i = 0; i < 3; i++)
        {
            Assert.True(SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "iam", StringToSign, ExampleSignature));
            Assert.False(SigV4Crypto.SignatureMatches(secret, "20150830", "us-west-2", "iam", StringToSign, ExampleSignature));
            Assert.False(SigV4Crypto.SignatureMatches(secret, "20150831", "us-east-1", "iam", StringToSign, ExampleSignature));
            Assert.False(SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "kms", StringToSign, ExampleSignature));
        }
    }

    [Fact]
    public void Past_the_scopes_kept_signatures_are_still_checked_in_full()
    {
        using var secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(ExampleSecret));

        for (var i = 0; i < 40; i++)
        {
            var region = $"region-{i}";
            var signature = SigV4Crypto.Sign(secret, "20150830", region, "kms", StringToSign);
            Assert.True(SigV4Crypto.SignatureMatches(secret, "20150830", region, "kms", StringToSign, signature));
            Assert.False(SigV4Crypto.SignatureMatches(secret, "20150830", region, "kms", StringToSign, ExampleSignature));
        }

        Assert.True(SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "iam", StringToSign, ExampleSignature));
    }

    [Fact]
    public void A_disposed_secret_matches_nothing_though_its_signing_key_was_kept()
    {
        var secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(ExampleSecret));
        Assert.True(SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "iam", StringToSign, ExampleSignature));

        secret.Dispose();

        bool Matches()
        {
            try
            {
                return SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "iam", StringToSign, ExampleSignature);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        Assert.False(Matches());
    }

    [Fact]
    public void Verification_accepts_the_published_signature_and_rejects_any_other()
    {
        using var secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(ExampleSecret));

        Assert.True(SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "iam", StringToSign, ExampleSignature));
        Assert.False(SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "iam", StringToSign, "0" + ExampleSignature[1..]));
        Assert.False(SigV4Crypto.SignatureMatches(secret, "20150830", "us-west-2", "iam", StringToSign, ExampleSignature));
        Assert.False(SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "iam", StringToSign, "not-hex"));
        Assert.False(SigV4Crypto.SignatureMatches(secret, "20150830", "us-east-1", "iam", StringToSign, ""));
    }
}
