namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>What the CLI promises of its errors: one line on standard error, starting "coffer: ".</summary>
public static class CliOutput
{
    public static void AssertOneClearLine(string stderr, string mustMention)
    {
        Assert.StartsWith("coffer: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(mustMention, stderr, StringComparison.Ordinal);
    }
}
