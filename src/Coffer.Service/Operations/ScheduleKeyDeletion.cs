using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class ScheduleKeyDeletionRequest
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
public sealed class ScheduleKeyDeletion(KmsRuntime runtime) : KmsOperation<ScheduleKeyDeletionRequest, ScheduleKeyDeletionResponse>
{
    public const int MinWindowDays = 7;
    public const int MaxWindowDays = 30;

    public override async ValueTask<ScheduleKeyDeletionResponse> ExecuteAsync(RequestContext context, ScheduleKeyDeletionRequest request, CancellationToken cancellationToken)
    {
        var days = request.PendingWindowInDays ?? MaxWindowDays;
        if (days is < MinWindowDays or > MaxWindowDays)
        {
            KmsErrors.ValidationFailed($"PendingWindowInDays must be between {MinWindowDays} and {MaxWindowDays}");
        }

        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, CrossAccountUse.No, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, "kms:ScheduleKeyDeletion", key, cancellationToken,
            f => f.With("kms:ScheduleKeyDeletionPendingWindowInDays", days.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        KeyStateRules.EnsureNotPendingDeletion(key);
        var deletionDate = runtime.Clock.GetUtcNow().AddDays(days);
        var pending = key with { State = Core.KeyState.PendingDeletion, DeletionDate = deletionDate, PendingWindowInDays = days };
        await runtime.Store.UpdateKeyAsync(pending, cancellationToken);
        return new ScheduleKeyDeletionResponse
        {
            KeyId = key.Arn,
            DeletionDate = deletionDate,
            KeyState = pending.State.ToWire(),
            PendingWindowInDays = days,
        };
    }
}
