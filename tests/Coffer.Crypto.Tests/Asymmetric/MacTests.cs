using System.Text;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

public class MacTests
{
    // RFC 4231 test cases 1, 2 and 6 (a key longer than the hash's block) for each hash.
    public static TheoryData<string, string, string, string> Rfc4231()
    {
        var case1Key = string.Concat(Enumerable.Repeat("0b", 20));
        var case2Key = Convert.ToHexString("Jefe"u8);
        var case6Key = string.Concat(Enumerable.Repeat("aa", 131));
        const string case1 = "Hi There";
        const string case2 = "what do ya want for nothing?";
        const string case6 = "Test Using Larger Than Block-Size Key - Hash Key First";
        return new TheoryData<string, string, string, string>
        {
            { "HMAC_SHA_224", case1Key, case1, "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22" },
            { "HMAC_SHA_224", case2Key, case2, "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44" },
            { "HMAC_SHA_224", case6Key, case6, "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e" },
            { "HMAC_SHA_256", case1Key, case1, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
            { "HMAC_SHA_256", case2Key, case2, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
            { "HMAC_SHA_256", case6Key, case6, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
            { "HMAC_SHA_384", case1Key, case1, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6" },
            { "HMAC_SHA_384", case2Key, case2, "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649" },
            { "HMAC_SHA_384", case6Key, case6, "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952" },
            { "HMAC_SHA_512", case1Key, case1, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
            { "HMAC_SHA_512", case2Key, case2, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
            { "HMAC_SHA_512", case6Key, case6, "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
        };
    }

    [Theory]
    [MemberData(nameof(Rfc4231))]
    public void The_mac_is_the_rfc_4231_answer_and_verifies(string algorithm, string keyHex, string data, string expected)
    {
        using var key = SecretBytes.CopyOf(Convert.FromHexString(keyHex));
        var message = Encoding.ASCII.GetBytes(data);

        var mac = Mac.Compute(algorithm, key, message);

        Assert.Equal(expected, Convert.ToHexStringLower(mac));
        Assert.True(Mac.Verify(algorithm, key, message, mac));
    }

    [Fact]
    public void A_changed_truncated_or_other_algorithms_mac_does_not_verify()
    {
        using var key = KeyMaterial.Generate("HMAC_384");
        var mac = Mac.Compute("HMAC_SHA_384", key, "message"u8);
        var changed = (byte[])mac.Clone();
        changed[0] ^= 0x80;

        Assert.False(Mac.Verify("HMAC_SHA_384", key, "message"u8, changed));
        Assert.False(Mac.Verify("HMAC_SHA_384", key, "message"u8, mac[..^1]));
        Assert.False(Mac.Verify("HMAC_SHA_384", key, "messagE"u8, mac));
        Assert.False(Mac.Verify("HMAC_SHA_512", key, "message"u8, mac));
        Assert.False(Mac.Verify("HMAC_SHA_384", key, "message"u8, []));
    }

    [Fact]
    public void Each_hmac_spec_has_its_one_algorithm()
    {
        Assert.Equal(["HMAC_SHA_224"], Mac.Algorithms("HMAC_224"));
        Assert.Equal(["HMAC_SHA_512"], Mac.Algorithms("HMAC_512"));
        Assert.Empty(Mac.Algorithms("RSA_2048"));
        Assert.Throws<ArgumentException>(() => Mac.Compute("HMAC_SHA_1", SecretBytes.Random(32), "m"u8));
    }
}
