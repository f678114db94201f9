namespace Coffer.Crypto.Tests;

public class RandomSourceTests
{
    [Fact]
    public void Uuids_are_version_4_of_the_RFC_variant_and_do_not_repeat()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 10_000; i++)
        {
            var text = RandomSource.Uuid().ToString("D");

            // xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx with N one of 8, 9, a, b (RFC 9562, section 5.4).
            Assert.Equal('4', text[14]);
            Assert.Contains(text[19], "89ab");
            Assert.True(seen.Add(text));
        }
    }

    [Fact]
    public void Every_other_bit_of_a_uuid_varies()
    {
        // Over many draws, each of the 122 random bits is set sometimes and clear sometimes.
        Span<byte> ones = stackalloc byte[16];
        Span<byte> zeros = stackalloc byte[16];
        zeros.Fill(0xFF);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = Convert.FromHexString(RandomSource.Uuid().ToString("N"));
            for (var b = 0; b < 16; b++)
            {
                ones[b] |= bytes[b];
                zeros[b] &= bytes[b];
            }
        }

        var fixedOnes = Convert.FromHexString("00000000000040008000000000000000");
        var fixedBits = Convert.FromHexString("000000000000F000C000000000000000");
        for (var b = 0; b < 16; b++)
        {
            // The bits that vary are set in some draw and clear in another; the fixed ones are always their value.
            Assert.Equal((byte)((0xFF & ~fixedBits[b]) | fixedOnes[b]), ones[b]);
            Assert.Equal(fixedOnes[b], zeros[b]);
        }
    }
}
