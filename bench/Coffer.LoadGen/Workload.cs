namespace Coffer.LoadGen;

/// <summary>
/// One kind of request: the operation, its body (the same bytes every time, which AWS allows as
/// long as each is signed afresh) and how to tell its response is right.
/// </summary>
internal sealed record Workload(string Name, string Operation, byte[] Body, ResponseCheck Check)
{
    /// <summary>
    /// A response Coffer gave to this request at setup. The ceiling answers with it, so the
    /// generator reads and checks the same bytes from both.
    /// </summary>
    public byte[] Canned { get; init; } = [];
}

/// <summary>
/// What one run sends: a single workload, or a weighted mix whose schedule repeats the workloads
/// in proportion (each connection walks it from its own offset, so the mix holds at any moment).
/// </summary>
internal sealed record Scenario(string Name, IReadOnlyList<Workload> Schedule);
