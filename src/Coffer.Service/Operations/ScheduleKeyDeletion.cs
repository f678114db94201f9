using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Service.Keys;

using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class ScheduleKeyDeletionRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public int? PendingWindowInDays { get; init; }
}

public sealed class ScheduleKeyDeletionResponse
{
    public required string KeyId { get; init; }
    public required DateTimeOffset DeletionDate { get; init; }
    public required string KeyState { get; init; }
    public required int PendingWindowInDays { get; init; }
}

/// <summary>
/// Puts a key into PendingDeletion for 7 to 30 days (default 30). The deletion job destroys the
/// material once the date has passed; CancelKeyDeletion can bring the key back until then.
/// </summary>
public sealed class ScheduleKeyDeletion(ICofferStore store, TimeProvider clock) : Operation<ScheduleKeyDeletionRequest, ScheduleKeyDeletionResponse>
{
    public const int MinWindowDays = 7;
    public const int MaxWindowDays = 30;

    public override void Validate(ScheduleKeyDeletionRequest request)
    {
        if (Days(request) is < MinWindowDays or > MaxWindowDays)
        {
            KmsErrors.ValidationFailed($"PendingWindowInDays must be between {MinWindowDays} and {MaxWindowDays}");
        }
    }

    public override void Conditions(RequestFacts facts, ScheduleKeyDeletionRequest request) =>
        facts.With("kms:ScheduleKeyDeletionPendingWindowInDays", Days(request).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public override async ValueTask<ScheduleKeyDeletionResponse> ExecuteAsync(OperationCall call, ScheduleKeyDeletionRequest request)
    {
        var days = Days(request);
        var deletionDate = clock.GetUtcNow().AddDays(days);
        var pending = await KeyRecordUpdate.ApplyAsync(store, call,
            key => key with { State = Core.KeyState.PendingDeletion, DeletionDate = deletionDate, PendingWindowInDays = days },
            KeyStateRules.EnsureNotPendingDeletion);
        return new ScheduleKeyDeletionResponse
        {
            KeyId = call.Key.Arn,
            DeletionDate = deletionDate,
            KeyState = pending.State.ToWire(),
            PendingWindowInDays = days,
        };
    }

    private static int Days(ScheduleKeyDeletionRequest request) => request.PendingWindowInDays ?? MaxWindowDays;
}
