namespace Coffer.Benchmarks.Tests;

/// <summary>
/// The bytes each hot-path benchmark may allocate per operation. The test command fails when one
/// allocates more: lower a budget when an allocation is removed, and raise one only with a reason
/// in the commit that does.
/// <para>
/// How they were set (2026-12-02, .NET 10.0.12): "measured" is what <see cref="AllocationBudgetTests"/>
/// measured on the build scripts/test.sh makes. That is a Debug build, which allocates at least as
/// much as the Release build BenchmarkDotNet runs, and more wherever an async method runs (Debug
/// compiles its state machine as a class, one allocation per call even when it finishes at once);
/// docs/benchmarks.md gives both figures. The budget is the measured value plus 10 %, rounded up to
/// a multiple of 64 bytes: room for a runtime update that moves a few bytes, none for another
/// buffer or collection per request. A budget of 0 means the operation must stay allocation-free.
/// </para>
/// </summary>
internal static class AllocationBudgets
{
    public static readonly IReadOnlyDictionary<string, (int Measured, int Budget)> PerOperation = new Dictionary<string, (int, int)>
    {
        // benchmark                                                            (measured, budget) in bytes per operation
        [nameof(HotPathBenchmarks.ParseEncryptRequest)] =                       (2432,   2688),
        [nameof(HotPathBenchmarks.VerifySigV4)] =                               (2632,   2944),
        [nameof(HotPathBenchmarks.AuthorizeWithDefaultKeyPolicy)] =             (2864,   3200),
        [nameof(HotPathBenchmarks.AuthorizeWithConditionalKeyPolicy)] =         (8008,   8832),
        [nameof(HotPathBenchmarks.EncryptCiphertext)] =                         (288,    320),
        [nameof(HotPathBenchmarks.DecryptCiphertext)] =                         (256,    320),
        [nameof(HotPathBenchmarks.SerializeAuditEvent)] =                       (3016,   3328), // bytes and text, as the trail takes them (was the text alone)
        [nameof(HotPathBenchmarks.StringToSign)] =                              (448,    512),
        [nameof(HotPathBenchmarks.SignatureMatches)] =                          (0,      0),
        [nameof(HotPathBenchmarks.ParseAndValidateEncryptBody)] =               (1224,   1408),
    };
}
