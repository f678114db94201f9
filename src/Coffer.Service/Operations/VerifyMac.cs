using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class VerifyMacRequest : IMacRequest
{
    public required byte[] Message { get; init; }
    public required string KeyId { get; init; }
    public required string MacAlgorithm { get; init; }
    public required byte[] Mac { get; init; }
    public List<string>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class VerifyMacResponse
{
    public required string KeyId { get; init; }
    public required bool MacValid { get; init; }
    public required string MacAlgorithm { get; init; }
}

/// <summary>Checks an HMAC in constant time. One that does not match is KMSInvalidMacException, as on AWS.</summary>
public sealed class VerifyMac(KeyMaterialVault vault) : MacOperation<VerifyMacRequest, VerifyMacResponse>(nameof(VerifyMac))
{
    public override async ValueTask<VerifyMacResponse> ExecuteAsync(OperationCall call, VerifyMacRequest request)
    {
        var key = await SignedMessage.PrivateKeyAsync(vault, call);
        if (!Crypto.Asymmetric.Mac.Verify(request.MacAlgorithm, key, request.Message, request.Mac))
        {
            throw new KmsException(ErrorCode.KmsInvalidMac, null); // AWS gives no message for a MAC that does not verify.
        }

        return new VerifyMacResponse { KeyId = call.Key.Arn, MacValid = true, MacAlgorithm = request.MacAlgorithm };
    }
}
