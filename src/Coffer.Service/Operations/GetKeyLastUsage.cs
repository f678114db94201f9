using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class GetKeyLastUsageResponse
{
    public required string KeyId { get; init; }
    public KeyLastUsageData? KeyLastUsage { get; init; }
    public required DateTimeOffset TrackingStartDate { get; init; }
    public required DateTimeOffset KeyCreationDate { get; init; }
}

public sealed class KeyLastUsageData
{
    public required string Operation { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required string CloudTrailEventId { get; init; }
    public required string KmsRequestId { get; init; }
}

/// <summary>
/// The key's last successful cryptographic operation, as <see cref="KeyUsageTracker"/> recorded
/// it; absent when none since tracking began. Any key state: a disabled key or one pending
/// deletion is exactly the one whose last use an operator wants to know.
/// </summary>
public sealed class GetKeyLastUsage(KeyUsageTracker usage) : Operation<KeyIdRequest, GetKeyLastUsageResponse>
{
    public override async ValueTask<GetKeyLastUsageResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        var key = call.Key;
        var last = await usage.FindAsync(key.KeyId, call.CancellationToken);
        return new GetKeyLastUsageResponse
        {
            KeyId = key.KeyId,
            KeyLastUsage = last is null ? null : new KeyLastUsageData
            {
                Operation = last.Operation, Timestamp = last.Timestamp, CloudTrailEventId = last.CloudTrailEventId, KmsRequestId = last.KmsRequestId,
            },
            // A key made before this deployment tracked uses may have been used before then.
            TrackingStartDate = key.CreationDate > usage.TrackingStart ? key.CreationDate : usage.TrackingStart,
            KeyCreationDate = key.CreationDate,
        };
    }
}
