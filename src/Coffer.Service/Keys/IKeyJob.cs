namespace Coffer.Service.Keys;

/// <summary>A pass of background work over keys whose date has come (deletion, rotation), run on a timer and by tests.</summary>
public interface IKeyJob
{
    /// <summary>What the job does, for the log.</summary>
    string Name { get; }

    /// <summary>Runs one pass and returns how many keys it changed.</summary>
    ValueTask<int> RunOnceAsync(CancellationToken cancellationToken = default);
}
