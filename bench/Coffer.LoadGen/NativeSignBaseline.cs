using System.Diagnostics;
using System.Security.Cryptography;

namespace Coffer.LoadGen;

/// <summary>
/// What .NET alone signs per second with ECDSA P-256 on this machine: one loaded key per thread,
/// SignData in a tight loop, as many threads as cores. Coffer's Sign rate is reported against it.
/// Run while the servers are idle, so it has the cores to itself as Coffer would not.
/// </summary>
internal static class NativeSignBaseline
{
    public static double SignaturesPerSecond(byte[] message, TimeSpan duration)
    {
        var threads = Environment.ProcessorCount;
        var counts = new long[threads];
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(index => new Thread(() =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            long signed = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                // DER, as KMS returns ECDSA signatures and Coffer produces them.
                key.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                signed++;
            }

            counts[index] = signed;
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }
}
