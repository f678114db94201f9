using CsCheck;

namespace Coffer.Fuzz.Tests;

/// <summary>
/// Runs a property over generated inputs from a fixed seed, so the test command's run is the same
/// every time and bounded. <c>COFFER_FUZZ_ITERATIONS</c> makes it longer and <c>COFFER_FUZZ_SEED</c>
/// explores other inputs (docs/security.md shows a longer run). A failure names the input.
/// </summary>
internal static class Fuzz
{
    public const ulong DefaultSeed = 20261201;

    public static int Iterations(int fixedRun) =>
        int.TryParse(Environment.GetEnvironmentVariable("COFFER_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : fixedRun;

    public static ulong Seed => ulong.TryParse(Environment.GetEnvironmentVariable("COFFER_FUZZ_SEED"), out var s) ? s : DefaultSeed;

    public static void Run<T>(Gen<T> gen, Action<T> property, int fixedRun, Func<T, string>? print = null)
    {
        var pcg = new PCG(1, Seed);
        var iterations = Iterations(fixedRun);
        for (var i = 0; i < iterations; i++)
        {
            var input = gen.Generate(pcg, null, out _);
            try
            {
                property(input);
            }
            catch (Exception error)
            {
                throw new InvalidOperationException($"Input {i} (seed {Seed}) broke the property: {print?.Invoke(input) ?? input?.ToString()}", error);
            }
        }
    }

    /// <summary>Mutations of seed texts: byte flips, insertions, deletions, splices and repeats, as a coverage-less fuzzer makes them.</summary>
    public static Gen<byte[]> Mutations(IReadOnlyList<byte[]> seeds) =>
        Gen.Select(Gen.Int[0, seeds.Count - 1], Gen.Int[1, 6], Gen.UInt, (seed, count, salt) => Mutate(seeds[seed], count, salt, seeds));

    private static byte[] Mutate(byte[] seed, int count, uint salt, IReadOnlyList<byte[]> seeds)
    {
        var random = new Random(unchecked((int)salt));
        var bytes = new List<byte>(seed);
        ReadOnlySpan<byte> interesting = "\"\\{}[],:0-eE.\u0000\u00ff"u8;
        for (var i = 0; i < count; i++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, interesting[random.Next(interesting.Length)]);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 8)));
                    break;
                case 3:
                    var other = seeds[random.Next(seeds.Count)];
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(random.Next(1, 32)));
                    break;
                case 4 when bytes.Count > 0:
                    var length = Math.Min(bytes.Count - at, random.Next(1, 16));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                default:
                    bytes.InsertRange(at, System.Text.Encoding.UTF8.GetBytes(random.Next(4) switch
                    {
                        0 => "\\ud800",
                        1 => "1e309",
                        2 => "-9223372036854775809",
                        _ => new string('[', random.Next(1, 40)),
                    }));
                    break;
            }
        }

        return [.. bytes];
    }
}
