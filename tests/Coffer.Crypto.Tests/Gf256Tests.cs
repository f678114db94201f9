using System.Reflection;
using System.Security.Cryptography;

namespace Coffer.Crypto.Tests;

/// <summary>
/// The field arithmetic under Shamir's scheme. The expected values were computed apart from
/// Coffer, by a short Python script run once on the development machine (a carry-less product
/// reduced modulo 0x11B, a different method from <see cref="Gf256"/>'s), and pasted here.
/// </summary>
public class Gf256Tests
{
    [Theory]
    [InlineData(0x53, 0xCA, 0x01)]
    [InlineData(0x57, 0x83, 0xC1)]
    [InlineData(0x57, 0x13, 0xFE)]
    [InlineData(0x00, 0xFF, 0x00)]
    [InlineData(0x01, 0xAB, 0xAB)]
    [InlineData(0xFF, 0xFF, 0x13)]
    [InlineData(0x80, 0x02, 0x1B)]
    [InlineData(0x02, 0x80, 0x1B)]
    [InlineData(0xB6, 0x53, 0x36)]
    [InlineData(0x1D, 0xE4, 0xFA)]
    [InlineData(0xC3, 0x3C, 0xF4)]
    [InlineData(0x8E, 0x01, 0x8E)]
    public void Products_are_the_independently_computed_ones(int a, int b, int product)
    {
        Assert.Equal((byte)product, Gf256.Multiply((byte)a, (byte)b));
    }

    [Fact]
    public void The_whole_multiplication_table_is_the_independently_computed_one()
    {
        var table = new byte[256 * 256];
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                table[(a * 256) + b] = Gf256.Multiply((byte)a, (byte)b);
            }
        }

        // SHA-256 of the 65,536 products, a-major, from the same Python script.
        Assert.Equal("14a1e7e77ca8a30b5bb53e6310748ce0498eb9e04ab78a44dbefb6ebfac8a84b", Convert.ToHexStringLower(SHA256.HashData(table)));
    }

    [Theory]
    [InlineData(0x01, 0x01)]
    [InlineData(0x02, 0x8D)]
    [InlineData(0x03, 0xF6)]
    [InlineData(0x53, 0xCA)]
    [InlineData(0x8D, 0x02)]
    [InlineData(0xFF, 0x1C)]
    public void Inverses_are_the_independently_computed_ones(int a, int inverse)
    {
        Assert.Equal((byte)inverse, Gf256.Inverse((byte)a));
    }

    [Fact]
    public void No_operation_branches_or_looks_up_a_table()
    {
        var methods = typeof(Gf256).GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly);

        Assert.Contains(methods, m => m.Name == nameof(Gf256.Multiply));
        Assert.Empty(methods.SelectMany(m => IlShape.OperandDependentInstructions(m, typeof(Gf256))));
    }
}
