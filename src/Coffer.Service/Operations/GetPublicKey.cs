using Coffer.Core;
using Coffer.Crypto.Asymmetric;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class GetPublicKeyRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public List<string>? GrantTokens { get; init; }
}

public sealed class GetPublicKeyResponse
{
    public required string KeyId { get; init; }
    public required byte[] PublicKey { get; init; }
    public required string CustomerMasterKeySpec { get; init; }
    public required string KeySpec { get; init; }
    public required string KeyUsage { get; init; }
    public IReadOnlyList<string>? EncryptionAlgorithms { get; init; }
    public IReadOnlyList<string>? SigningAlgorithms { get; init; }
    public IReadOnlyList<string>? KeyAgreementAlgorithms { get; init; }
}

/// <summary>The public key of an asymmetric key pair, as DER SubjectPublicKeyInfo, with what it may be used for.</summary>
public sealed class GetPublicKey(KeyMaterialVault vault) : Operation<GetPublicKeyRequest, GetPublicKeyResponse>
{
    public override ValueTask CheckAsync(OperationCall call, GetPublicKeyRequest request)
    {
        if (!KeySpecRules.IsAsymmetric(call.Key.KeySpec))
        {
            KmsErrors.Throw(ErrorCode.UnsupportedOperation, $"{call.Key.Arn} key spec {call.Key.KeySpec} has no public key. GetPublicKey needs an asymmetric KMS key.");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<GetPublicKeyResponse> ExecuteAsync(OperationCall call, GetPublicKeyRequest request)
    {
        var key = call.Key;
        var material = await vault.GetCurrentAsync(key, call.CancellationToken);
        return new GetPublicKeyResponse
        {
            KeyId = key.Arn,
            PublicKey = KeyMaterial.PublicKey(key.KeySpec, material),
            CustomerMasterKeySpec = key.KeySpec,
            KeySpec = key.KeySpec,
            KeyUsage = key.KeyUsage,
            EncryptionAlgorithms = KeyMetadata.OrNull(KeySpecRules.EncryptionAlgorithms(key)),
            SigningAlgorithms = KeyMetadata.OrNull(KeySpecRules.SigningAlgorithms(key)),
            KeyAgreementAlgorithms = KeyMetadata.OrNull(KeySpecRules.KeyAgreementAlgorithms(key)),
        };
    }
}
