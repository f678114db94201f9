using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>
/// Shamir's secret sharing over GF(2^8) (the AES field, polynomial x^8+x^4+x^3+x+1), byte by
/// byte: any <c>threshold</c> of the <c>shares</c> rebuild the secret, fewer reveal nothing about
/// it. Share x-coordinates are 1..N. The secret is a <see cref="SecretBytes"/> and shares are
/// returned as secrets too; intermediate buffers are zeroed.
/// </summary>
public static class Shamir
{
    public const int MaxShares = 255;

    /// <summary>One share: its x-coordinate and one y byte per secret byte.</summary>
    public sealed class Share(byte x, SecretBytes y) : IDisposable
    {
        public byte X { get; } = x;
        public SecretBytes Y { get; } = y;

        public void Dispose() => Y.Dispose();
    }

    public static IReadOnlyList<Share> Split(SecretBytes secret, int shares, int threshold) =>
        Split(secret, shares, threshold, RandomNumberGenerator.Fill);

    /// <summary>
    /// Splits with coefficients from <paramref name="fillCoefficients"/> (called once per secret
    /// byte with room for threshold − 1 of them), so tests can check known answers.
    /// </summary>
    internal static IReadOnlyList<Share> Split(SecretBytes secret, int shares, int threshold, Action<Span<byte>> fillCoefficients)
    {
        if (threshold < 2 || threshold > shares || shares > MaxShares)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "Use 2 <= threshold <= shares <= 255.");
        }

        var coefficients = new byte[threshold - 1];
        var result = new List<Share>(shares);
        var ys = Enumerable.Range(0, shares).Select(_ => SecretBytes.Allocate(secret.Length)).ToList();
        try
        {
            for (var i = 0; i < secret.Length; i++)
            {
                fillCoefficients(coefficients);
                for (var s = 0; s < shares; s++)
                {
                    var x = (byte)(s + 1);
                    // Horner: f(x) = secret + a1 x + … + a(t-1) x^(t-1)
                    byte y = 0;
                    for (var c = coefficients.Length - 1; c >= 0; c--)
                    {
                        y = Gf256.Add(Gf256.Multiply(y, x), coefficients[c]);
                    }

                    ys[s].Writable[i] = Gf256.Add(Gf256.Multiply(y, x), secret.Span[i]);
                }
            }

            for (var s = 0; s < shares; s++)
            {
                result.Add(new Share((byte)(s + 1), ys[s]));
            }

            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(coefficients);
        }
    }

    /// <summary>Rebuilds the secret from at least threshold distinct shares (more are fine; wrong ones give a wrong secret).</summary>
    public static SecretBytes Combine(IReadOnlyList<Share> shares)
    {
        if (shares.Count == 0 || shares.Select(s => s.X).Distinct().Count() != shares.Count || shares.Any(s => s.X == 0 || s.Y.Length != shares[0].Y.Length))
        {
            throw new ArgumentException("Shares must be non-empty, distinct, and of one length.", nameof(shares));
        }

        // The Lagrange basis at 0 depends only on the x-coordinates, which are public: prod over
        // m != j of x_m / (x_m - x_j), where subtraction is XOR.
        var basis = new byte[shares.Count];
        for (var j = 0; j < shares.Count; j++)
        {
            basis[j] = 1;
            for (var m = 0; m < shares.Count; m++)
            {
                if (m != j)
                {
                    basis[j] = Gf256.Multiply(basis[j], Gf256.Divide(shares[m].X, Gf256.Add(shares[m].X, shares[j].X)));
                }
            }
        }

        var secret = SecretBytes.Allocate(shares[0].Y.Length);
        for (var i = 0; i < secret.Length; i++)
        {
            byte value = 0;
            for (var j = 0; j < shares.Count; j++)
            {
                value = Gf256.Add(value, Gf256.Multiply(shares[j].Y.Span[i], basis[j]));
            }

            secret.Writable[i] = value;
        }

        return secret;
    }
}
