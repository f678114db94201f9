namespace Coffer.Crypto;

/// <summary>
/// Arithmetic in GF(2^8), the AES field (x^8 + x^4 + x^3 + x + 1), for Shamir's scheme. The
/// operands are share and root-key bytes, so every operation takes the same steps whatever their
/// values: no branch and no table indexed by a secret, only shifts, masks and XOR. A test reads
/// the compiled IL of this type to keep it so.
/// </summary>
internal static class Gf256
{
    public static byte Add(byte a, byte b) => (byte)(a ^ b);

    public static byte Multiply(byte a, byte b)
    {
        // Shift-and-add over the eight bits of b, unrolled; -(bit) is an all-ones mask when the bit
        // is set and zero otherwise, which replaces the "if the bit is set" of the textbook loop.
        unchecked
        {
            int x = a, y = b;
            var product = x & -(y & 1);
            x = TimesX(x);
            product ^= x & -((y >> 1) & 1);
            x = TimesX(x);
            product ^= x & -((y >> 2) & 1);
            x = TimesX(x);
            product ^= x & -((y >> 3) & 1);
            x = TimesX(x);
            product ^= x & -((y >> 4) & 1);
            x = TimesX(x);
            product ^= x & -((y >> 5) & 1);
            x = TimesX(x);
            product ^= x & -((y >> 6) & 1);
            x = TimesX(x);
            product ^= x & -((y >> 7) & 1);
            return (byte)product;
        }
    }

    /// <summary>The inverse of <paramref name="a"/> (and 0 for 0): a^254, since a^255 = 1 for every a ≠ 0.</summary>
    public static byte Inverse(byte a)
    {
        // 254 = 2 + 4 + 8 + 16 + 32 + 64 + 128: a fixed chain of squarings and products.
        var a2 = Multiply(a, a);
        var a4 = Multiply(a2, a2);
        var a8 = Multiply(a4, a4);
        var a16 = Multiply(a8, a8);
        var a32 = Multiply(a16, a16);
        var a64 = Multiply(a32, a32);
        var a128 = Multiply(a64, a64);
        return Multiply(Multiply(Multiply(Multiply(Multiply(Multiply(a2, a4), a8), a16), a32), a64), a128);
    }

    public static byte Divide(byte a, byte b) => Multiply(a, Inverse(b));

    /// <summary>x times the polynomial x: a shift, reduced by the field polynomial when bit 7 was set (as a mask, not a branch).</summary>
    private static int TimesX(int x) => unchecked((x << 1) ^ (0x11B & -(x >> 7)));
}
