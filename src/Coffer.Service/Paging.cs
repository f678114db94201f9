namespace Coffer.Service;

/// <summary>
/// AWS's Limit/Marker paging over a store query that fetched one row more than the page: the
/// extra row says whether the page is truncated, and the last row kept is the next marker.
/// </summary>
public static class Paging
{
    public static (List<TOut> Items, bool Truncated, string? NextMarker) Page<TIn, TOut>(IReadOnlyList<TIn> fetched, int limit, Func<TIn, TOut> map, Func<TIn, string> marker)
    {
        var truncated = fetched.Count > limit;
        var kept = fetched.Take(limit).ToList();
        return (kept.Select(map).ToList(), truncated, truncated ? marker(kept[^1]) : null);
    }
}
