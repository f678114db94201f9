
namespace Coffer.Crypto.Tests;

public class EncryptionContextEncodingTests
{
    [Fact]
    public void Order_of_pairs_does_not_matter()
    {
        var first = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        var second = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };

        Assert.Equal(EncryptionContextEncoding.Encode(first), EncryptionContextEncoding.Encode(second));
    }

    [Fact]
    public void Moving_characters_between_key_and_value_changes_the_encoding()
    {
        var first = EncryptionContextEncoding.Encode(new Dictionary<string, string> { ["a"] = "bc" });
        var second = EncryptionContextEncoding.Encode(new Dictionary<string, string> { ["ab"] = "c" });

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Absent_and_empty_contexts_encode_alike()
    {
        Assert.Empty(EncryptionContextEncoding.Encode(null));
        Assert.Empty(EncryptionContextEncoding.Encode(new Dictionary<string, string>()));
    }

    [Fact]
    public void The_encoding_is_frozen()
    {
        var encoded = EncryptionContextEncoding.Encode(new Dictionary<string, string> { ["k"] = "vé" });

        Assert.Equal(Convert.FromHexString("0001" + "0001" + "6B" + "0003" + "76C3A9"), encoded);
    }
}
