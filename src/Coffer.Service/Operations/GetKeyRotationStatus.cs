using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class GetKeyRotationStatusResponse
{
    public required bool KeyRotationEnabled { get; init; }
    public required string KeyId { get; init; }
    public int? RotationPeriodInDays { get; init; }
    public DateTimeOffset? NextRotationDate { get; init; }
}

/// <summary>
/// Whether the key rotates automatically, and when next. Asymmetric and HMAC keys answer false,
/// as AWS now does; a key pending deletion answers false while it waits. The period and date are
/// present only while rotation is on. No OnDemandRotationStartDate: an on-demand rotation here is
/// complete when RotateKeyOnDemand returns.
/// </summary>
public sealed class GetKeyRotationStatus : Operation<KeyIdRequest, GetKeyRotationStatusResponse>
{
    public override ValueTask CheckAsync(OperationCall call, KeyIdRequest request)
    {
        if (call.Key.Origin != KeyOrigins.AwsKms)
        {
            KeyRotation.EnsureRotatable(call.Key);
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask<GetKeyRotationStatusResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        var key = call.Key;
        var enabled = key.RotationPeriodInDays is not null && key.State != KeyState.PendingDeletion;
        return ValueTask.FromResult(new GetKeyRotationStatusResponse
        {
            KeyId = key.KeyId,
            KeyRotationEnabled = enabled,
            RotationPeriodInDays = enabled ? key.RotationPeriodInDays : null,
            NextRotationDate = enabled ? key.NextRotationDate : null,
        });
    }
}
