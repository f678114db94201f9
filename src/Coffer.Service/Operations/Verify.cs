using Coffer.Core;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class VerifyRequest : ISignedMessageRequest
{
    public required string KeyId { get; init; }
    public required byte[] Message { get; init; }
    public string? MessageType { get; init; }
    public required byte[] Signature { get; init; }
    public required string SigningAlgorithm { get; init; }
    public List<string>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class VerifyResponse
{
    public required string KeyId { get; init; }
    public required bool SignatureValid { get; init; }
    public required string SigningAlgorithm { get; init; }
}

/// <summary>Checks a signature with the key pair inside KMS. A signature that does not verify is KMSInvalidSignatureException, as on AWS.</summary>
public sealed class Verify(KeyMaterialVault vault) : SigningOperation<VerifyRequest, VerifyResponse>(nameof(Verify))
{
    public override async ValueTask<VerifyResponse> ExecuteAsync(OperationCall call, VerifyRequest request)
    {
        var material = await SignedMessage.PrivateKeyAsync(vault, call);
        if (!Crypto.Asymmetric.Signer.Verify(call.Key.KeySpec, material, request.SigningAlgorithm, SignedMessage.TypeOf(request.MessageType), request.Message,
                request.Signature))
        {
            throw new KmsException(ErrorCode.KmsInvalidSignature, null); // AWS gives no message for a signature that does not verify.
        }

        return new VerifyResponse { KeyId = call.Key.Arn, SignatureValid = true, SigningAlgorithm = request.SigningAlgorithm };
    }
}
