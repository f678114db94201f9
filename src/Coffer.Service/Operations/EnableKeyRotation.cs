using System.Globalization;
using Coffer.Core;
using Coffer.Policy;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class EnableKeyRotationRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public int? RotationPeriodInDays { get; init; }
}

/// <summary>
/// Turns on automatic rotation every 90 to 2560 days (default 365). Turning it on starts the
/// period now; changing the period of a key that already rotates moves the next date to the last
/// rotation (or enabling) plus the new period, or to now if that has passed, as AWS does.
/// </summary>
public sealed class EnableKeyRotation(ICofferStore store, TimeProvider clock) : Operation<EnableKeyRotationRequest, EmptyResponse>
{
    public override void Validate(EnableKeyRotationRequest request)
    {
        if (request.RotationPeriodInDays is < KeyRotation.MinPeriodInDays or > KeyRotation.MaxPeriodInDays)
        {
            KmsErrors.ValidationFailed(string.Create(CultureInfo.InvariantCulture,
                $"The rotation period must be between {KeyRotation.MinPeriodInDays} and {KeyRotation.MaxPeriodInDays} days."));
        }
    }

    public override void Conditions(RequestFacts facts, EnableKeyRotationRequest request) =>
        facts.With("kms:RotationPeriodInDays", Period(request).ToString(CultureInfo.InvariantCulture));

    public override ValueTask CheckAsync(OperationCall call, EnableKeyRotationRequest request)
    {
        KeyRotation.EnsureScheduleCanChange(call.Key);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, EnableKeyRotationRequest request)
    {
        var (key, period, now) = (call.Key, Period(request), clock.GetUtcNow());
        var next = key is { RotationPeriodInDays: { } oldPeriod, NextRotationDate: { } oldNext }
            ? Later(oldNext.AddDays(period - oldPeriod), now)
            : now.AddDays(period);
        await store.UpdateRotationScheduleAsync(key.KeyId, period, next, call.CancellationToken);
        return EmptyResponse.Instance;
    }

    private static int Period(EnableKeyRotationRequest request) => request.RotationPeriodInDays ?? KeyRotation.DefaultPeriodInDays;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
