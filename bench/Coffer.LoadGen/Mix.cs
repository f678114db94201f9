using System.Globalization;

namespace Coffer.LoadGen;

/// <summary>Reads <c>--mix NAME=WEIGHT,…</c> into a scenario that sends the workloads in those proportions.</summary>
internal static class Mix
{
    /// <summary>The scenario, or null when the text names an unknown workload or a weight that is not a positive whole number.</summary>
    public static Scenario? Parse(string text, IReadOnlyDictionary<string, Workload> workloads)
    {
        var schedule = new List<Workload>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('=', 2);
            var weight = 1;
            if (!workloads.TryGetValue(pieces[0], out var workload)
                || (pieces.Length == 2 && (!int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out weight) || weight < 1 || weight > 100)))
            {
                return null;
            }

            schedule.AddRange(Enumerable.Repeat(workload, weight));
        }

        return schedule.Count == 0 ? null : new Scenario($"mix {text}", schedule);
    }
}
