using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class RotateKeyOnDemandResponse
{
    public required string KeyId { get; init; }
}

/// <summary>
/// Rotates a symmetric key now, whatever its automatic schedule, at most 25 times per key.
/// The rotation is complete when the call returns: the next Encrypt uses the new material.
/// </summary>
public sealed class RotateKeyOnDemand(KeyRotation rotation) : Operation<KeyIdRequest, RotateKeyOnDemandResponse>
{
    public override ValueTask CheckAsync(OperationCall call, KeyIdRequest request)
    {
        if (!KeyRotation.CanRotate(call.Key) && call.Key.Origin == KeyOrigins.AwsKms)
        {
            // AWS answers an asymmetric or HMAC key here with no message.
            throw new KmsException(KmsErrors.UnsupportedOperation, null);
        }

        if (call.Key is { Origin: KeyOrigins.External, KeySpec: KeySpecs.SymmetricDefault })
        {
            // AWS rotates an imported key only onto new material imported for it, which Coffer does not take yet.
            KmsErrors.Throw(KmsErrors.InvalidState, $"No available key material pending rotation for the key: {call.Key.Arn}.");
        }

        KeyRotation.EnsureRotatable(call.Key);
        if (call.Key.OnDemandRotations >= KeyRotation.OnDemandLimit)
        {
            KmsErrors.Throw(KmsErrors.LimitExceeded,
                $"The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {call.Key.Arn}");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<RotateKeyOnDemandResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        if (await rotation.RotateAsync(call.Key, RotationTypes.OnDemand, call.CancellationToken) is null)
        {
            KmsErrors.Throw(ErrorCode.Conflict, $"A rotation of {call.Key.Arn} is already in progress.");
        }

        return new RotateKeyOnDemandResponse { KeyId = call.Key.Arn };
    }
}
