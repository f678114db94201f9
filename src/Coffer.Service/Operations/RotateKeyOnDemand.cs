using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class RotateKeyOnDemandResponse
{
    public required string KeyId { get; init; }
}

/// <summary>
/// Rotates a symmetric key now, whatever its automatic schedule, at most 25 times per key: onto
/// new material, or for an imported key onto the material imported for it with NEW_KEY_MATERIAL.
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

        if (call.Key.KeySpec != KeySpecs.SymmetricDefault)
        {
            KeyRotation.EnsureRotatable(call.Key);
        }

        if (call.Key.OnDemandRotations >= KeyRotation.OnDemandLimit)
        {
            KmsErrors.Throw(KmsErrors.LimitExceeded,
                $"The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {call.Key.Arn}");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<RotateKeyOnDemandResponse> ExecuteAsync(OperationCall call, KeyIdRequest request)
    {
        // An imported key rotates onto the new material imported for it; any other onto new material made now.
        var rotated = call.Key.Origin == KeyOrigins.External
            ? await rotation.RotateOntoImportedAsync(call.Key, call.CancellationToken)
            : await rotation.RotateAsync(call.Key, RotationTypes.OnDemand, call.CancellationToken);
        if (rotated is null)
        {
            KmsErrors.Throw(ErrorCode.Conflict, $"A rotation of {call.Key.Arn} is already in progress.");
        }

        return new RotateKeyOnDemandResponse { KeyId = call.Key.Arn };
    }
}
