using System.Reflection;
using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Coffer.Server.IntegrationTests.Infrastructure.LongestFirst", "Coffer.Server.IntegrationTests")]

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>
/// A test class whose tests run real programs for a long while (CrashLoopTests alone takes about two minutes).
/// Its collection starts before the quick ones: a long class that started last would end the run alone.
/// </summary>
/// <param name="rank">Lower starts earlier: roughly the class's place by running time, longest first.</param>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StartsEarlyAttribute(int rank) : Attribute
{
    public int Rank => rank;
}

/// <summary>Orders test collections: classes marked <see cref="StartsEarlyAttribute"/> by rank, then the rest in xUnit's own order.</summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private const string PerClassPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank);

    private static int Rank(ITestCollection collection)
    {
        // A class without [Collection] gets a collection of its own, named after the class.
        if (!collection.DisplayName.StartsWith(PerClassPrefix, StringComparison.Ordinal))
        {
            return int.MaxValue;
        }

        var className = collection.DisplayName[PerClassPrefix.Length..].Split(' ')[0];
        return typeof(LongestFirst).Assembly.GetType(className)?.GetCustomAttribute<StartsEarlyAttribute>()?.Rank ?? int.MaxValue;
    }
}
