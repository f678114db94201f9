using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Coffer.Benchmarks.Tests;

/// <summary>The hot-path benchmarks, set up once for all the tests of this class.</summary>
public sealed class HotPathBenchmarksFixture : IDisposable
{
    public HotPathBenchmarksFixture() => Benchmarks.Setup();

    public HotPathBenchmarks Benchmarks { get; } = new();

    public void Dispose() => Benchmarks.Cleanup();
}

/// <summary>
/// Runs every [Benchmark] of <see cref="HotPathBenchmarks"/> many times on this thread and fails
/// when one allocates more per operation than its budget in <see cref="AllocationBudgets"/>.
/// </summary>
public class AllocationBudgetTests(HotPathBenchmarksFixture fixture) : IClassFixture<HotPathBenchmarksFixture>
{
    // Enough warm-up for every lazily built cache and pool the path uses; enough iterations that
    // one-off allocations would show as a fraction, and still well under a second for all of them.
    private const int WarmUp = 200;
    private const int Iterations = 1_000;
    private const int Rounds = 3;

    private static readonly MethodInfo[] BenchmarkMethods = typeof(HotPathBenchmarks).GetMethods()
        .Where(method => method.IsDefined(typeof(BenchmarkAttribute)))
        .ToArray();

    public static TheoryData<string> Benchmarks => new(BenchmarkMethods.Select(method => method.Name));

    [Theory]
    [MemberData(nameof(Benchmarks))]
    public void Stays_within_its_allocation_budget(string benchmark)
    {
        Assert.True(AllocationBudgets.PerOperation.TryGetValue(benchmark, out var budget),
            $"{benchmark} has no allocation budget: add one to AllocationBudgets.cs.");
        var run = Compile(benchmark);
        for (var i = 0; i < WarmUp; i++)
        {
            run();
        }

        var storeCallsBefore = fixture.Benchmarks.HotPath.StoreCalls;
        var measured = BytesPerOperation(run);

        // Warm caches only: a store call would mean a cache missed inside the loop (the store answers synchronously, so the step would not notice).
        Assert.Equal(storeCallsBefore, fixture.Benchmarks.HotPath.StoreCalls);
        if (budget.Budget > 0)
        {
            // Something that allocated when its budget was set and allocates nothing now has most likely stopped doing its work.
            Assert.True(measured > 0, $"{benchmark} allocated nothing; if it really no longer allocates, set its budget to 0.");
        }

        Assert.True(measured <= budget.Budget,
            $"{benchmark} allocated {measured} bytes per operation; its budget is {budget.Budget} bytes (tests/Coffer.Benchmarks.Tests/AllocationBudgets.cs).");
    }

    [Fact]
    public void Every_benchmark_has_a_budget_and_every_budget_a_benchmark()
    {
        Assert.Equal(AllocationBudgets.PerOperation.Keys.Order(), BenchmarkMethods.Select(method => method.Name).Order());
    }

    [Fact]
    public void The_request_parses_and_its_signature_verifies()
    {
        using var hotPath = new HotPath();
        var request = hotPath.ParseEncryptRequest();
        Assert.Equal(hotPath.KeyId, request.KeyId);
        Assert.Equal(hotPath.Plaintext.ToArray(), request.Plaintext);
        Assert.Equal("acme", request.EncryptionContext?["tenant"]);

        Assert.Equal(HotPath.UserArn, hotPath.VerifySigV4().Caller.Arn);
    }

    [Fact]
    public void Both_key_policies_allow_the_request_and_the_conditional_one_only_from_its_network()
    {
        using var hotPath = new HotPath();
        hotPath.AuthorizeWithDefaultKeyPolicy();
        hotPath.AuthorizeWithConditionalKeyPolicy();

        Assert.True(hotPath.ConditionalKeyPolicyAllows(HotPath.SourceIp));
        Assert.False(hotPath.ConditionalKeyPolicyAllows("192.0.2.1"));
    }

    [Fact]
    public void The_ciphertext_decrypts_to_the_plaintext()
    {
        using var hotPath = new HotPath();
        using var plaintext = hotPath.DecryptCiphertext();
        Assert.Equal(hotPath.Plaintext.ToArray(), plaintext.ToArray());
        Assert.Equal(HotPath.PlaintextBytes + Crypto.SymmetricCiphertext.Overhead, hotPath.EncryptCiphertext().Length);
    }

    [Fact]
    public void The_audit_event_is_the_encrypt_call_without_its_plaintext()
    {
        using var hotPath = new HotPath();
        var (utf8, text) = hotPath.SerializeAuditEvent();
        Assert.Equal(text, Encoding.UTF8.GetString(utf8));
        using var json = JsonDocument.Parse(utf8);
        var root = json.RootElement;
        Assert.Equal("Encrypt", root.GetProperty("eventName").GetString());
        Assert.Equal(HotPath.UserArn, root.GetProperty("userIdentity").GetProperty("arn").GetString());
        Assert.Equal(hotPath.KeyId, root.GetProperty("requestParameters").GetProperty("keyId").GetString());
        Assert.False(root.GetProperty("requestParameters").TryGetProperty("plaintext", out _));
    }

    /// <summary>A call of the benchmark method itself, its result discarded (so nothing is boxed).</summary>
    private Action Compile(string benchmark)
    {
        var method = BenchmarkMethods.Single(m => m.Name == benchmark);
        return Expression.Lambda<Action>(Expression.Call(Expression.Constant(fixture.Benchmarks), method)).Compile();
    }

    /// <summary>
    /// Bytes allocated per call on this thread, once warmed up: the least of a few rounds, so that
    /// something the runtime does once (a pool growing, a type's statics) is not charged to the operation.
    /// </summary>
    private static long BytesPerOperation(Action operation)
    {
        var least = long.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Iterations; i++)
            {
                operation();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return (least + Iterations - 1) / Iterations;
    }
}
