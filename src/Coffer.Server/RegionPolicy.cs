using System.Text.RegularExpressions;
using Coffer.Protocol.SigV4;

namespace Coffer.Server;

/// <summary>
/// Which regions a deployment serves: a fixed list, or in dev mode any well-formed region name,
/// so one dev server stands in for all of AWS while each region's keys stay apart.
/// </summary>
public sealed partial class RegionPolicy(IReadOnlyList<string> regions) : IRegionPolicy
{
    private readonly HashSet<string> _regions = new(regions, StringComparer.Ordinal);

    public bool Serves(string region) => _regions.Count == 0 ? RegionName().IsMatch(region) : _regions.Contains(region);

    /// <summary>AWS region names: <c>us-east-1</c>, <c>ap-southeast-2</c>, <c>us-gov-west-1</c>, <c>eu-isoe-west-1</c>.</summary>
    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", RegexOptions.CultureInvariant)]
    public static partial Regex RegionName();
}
