using BenchmarkDotNet.Attributes;

namespace Coffer.Benchmarks;

/// <summary>
/// Each part of the hot path of an Encrypt request, one by one (see <see cref="HotPath"/>). Every
/// benchmark here has an allocation budget in tests/Coffer.Benchmarks.Tests, which runs these very
/// methods in the test command; a benchmark added here needs a budget there.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private HotPath _hotPath = null!;

    /// <summary>What the benchmarks run on, once <see cref="Setup"/> has made it.</summary>
    public HotPath HotPath => _hotPath;

    [GlobalSetup]
    public void Setup() => _hotPath = new HotPath();

    [GlobalCleanup]
    public void Cleanup() => _hotPath.Dispose();

    [Benchmark]
    public object ParseEncryptRequest() => _hotPath.ParseEncryptRequest();

    [Benchmark]
    public object VerifySigV4() => _hotPath.VerifySigV4();

    [Benchmark]
    public void AuthorizeWithDefaultKeyPolicy() => _hotPath.AuthorizeWithDefaultKeyPolicy();

    [Benchmark]
    public void AuthorizeWithConditionalKeyPolicy() => _hotPath.AuthorizeWithConditionalKeyPolicy();

    [Benchmark]
    public byte[] EncryptCiphertext() => _hotPath.EncryptCiphertext();

    [Benchmark]
    public int DecryptCiphertext()
    {
        using var plaintext = _hotPath.DecryptCiphertext();
        return plaintext.Length;
    }

    [Benchmark]
    public (byte[] Utf8, string Text) SerializeAuditEvent() => _hotPath.SerializeAuditEvent();

    // Steps inside the parts above, to see where a part's time goes.

    [Benchmark]
    public string StringToSign() => _hotPath.StringToSign();

    [Benchmark]
    public bool SignatureMatches() => _hotPath.SignatureMatches();

    [Benchmark]
    public void ParseAndValidateEncryptBody() => _hotPath.ParseAndValidateEncryptBody();
}
