using Coffer.Core;
using Coffer.Crypto;
using Coffer.Crypto.Asymmetric;
using Coffer.Policy;
using Coffer.Service.Authorization;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class GenerateDataKeyPairRequest : IKeyRequest, IDryRunRequest
{
    public Dictionary<string, string>? EncryptionContext { get; init; }
    public required string KeyId { get; init; }
    public required string KeyPairSpec { get; init; }
    public List<string>? GrantTokens { get; init; }
    public object? Recipient { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class GenerateDataKeyPairResponse : ISensitiveResponse
{
    public required byte[] PrivateKeyCiphertextBlob { get; init; }
    public byte[]? PrivateKeyPlaintext { get; init; }
    public required byte[] PublicKey { get; init; }
    public required string KeyId { get; init; }
    public required string KeyPairSpec { get; init; }
    public string? KeyMaterialId { get; init; }

    public void ZeroSecrets() => SecretBytes.Zero(PrivateKeyPlaintext);
}

/// <summary>
/// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: a fresh key pair for the caller's
/// own use. The private key (PKCS#8) comes back encrypted under a symmetric KMS key, and in the
/// clear only when asked for; the public key is DER SubjectPublicKeyInfo.
/// </summary>
public sealed class GenerateDataKeyPair(SymmetricEnvelope envelope, KeyPairGenerator generator, bool includePlaintext) : Operation<GenerateDataKeyPairRequest, GenerateDataKeyPairResponse>
{
    public override void Validate(GenerateDataKeyPairRequest request)
    {
        if (request.Recipient is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by this server.");
        }
    }

    public override void Conditions(RequestFacts facts, GenerateDataKeyPairRequest request) =>
        facts.EncryptionContext(request.EncryptionContext).With("kms:DataKeyPairSpec", request.KeyPairSpec);

    public override IReadOnlyDictionary<string, string>? GrantContext(GenerateDataKeyPairRequest request) => request.EncryptionContext;

    public override ValueTask CheckAsync(OperationCall call, GenerateDataKeyPairRequest request)
    {
        SymmetricEnvelope.EnsureSymmetric(call.Key, includePlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext");
        KeySpecRules.EnsureAvailableIn(request.KeyPairSpec, call.Context.Region);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<GenerateDataKeyPairResponse> ExecuteAsync(OperationCall call, GenerateDataKeyPairRequest request)
    {
        using var privateKey = await generator.GenerateAsync(request.KeyPairSpec, call.CancellationToken);
        var blob = await envelope.EncryptAsync(call.Key, privateKey, request.EncryptionContext, call.CancellationToken);
        return new GenerateDataKeyPairResponse
        {
            PrivateKeyCiphertextBlob = blob,
            PrivateKeyPlaintext = includePlaintext ? privateKey.ToArray() : null,
            PublicKey = KeyMaterial.PublicKey(request.KeyPairSpec, privateKey),
            KeyId = call.Key.Arn,
            KeyPairSpec = request.KeyPairSpec,
            KeyMaterialId = KeyMaterialIds.Current(call.Key),
        };
    }
}
