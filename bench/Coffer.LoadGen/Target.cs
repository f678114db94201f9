namespace Coffer.LoadGen;

/// <summary>A server the generator measures, and where each workload's requests go on it.</summary>
internal sealed record Target(string Name, Func<Workload, int, Uri> Endpoint)
{
    public const string CofferName = "coffer";
    public const string CeilingName = "ceiling";

    /// <summary>The server's process id, when known, to report the CPU it spends per request.</summary>
    public int? Pid { get; init; }

    /// <summary>
    /// Coffer takes every KMS call at its root, told apart by X-Amz-Target. With several nodes,
    /// connection N keeps to node N mod count, as a client behind a round-robin balancer would.
    /// </summary>
    public static Target Coffer(IReadOnlyList<Uri> nodes) => new(CofferName, (_, connection) => nodes[connection % nodes.Count]);

    /// <summary>
    /// Hands the ceiling the response Coffer gave to each workload, then sends each workload's
    /// requests to its own path there, so that the ceiling answers the same bytes without looking
    /// at the request.
    /// </summary>
    public static async Task<Target> CeilingAsync(HttpClient http, Uri url, IEnumerable<Workload> workloads, CancellationToken cancellationToken)
    {
        var endpoints = new Dictionary<string, Uri>();
        foreach (var workload in workloads)
        {
            using var content = new ByteArrayContent(workload.Canned);
            using var response = await http.PostAsync(new Uri(url, $"/_canned/{workload.Name}"), content, cancellationToken);
            response.EnsureSuccessStatusCode();
            endpoints[workload.Name] = new Uri(url, $"/{workload.Name}");
        }

        return new(CeilingName, (workload, _) => endpoints[workload.Name]);
    }
}
