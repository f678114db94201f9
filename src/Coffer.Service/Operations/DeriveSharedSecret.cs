using Coffer.Core;
using Coffer.Crypto;
using Coffer.Crypto.Asymmetric;
using Coffer.Policy;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class DeriveSharedSecretRequest : IKeyRequest, IDryRunRequest
{
    public required string KeyId { get; init; }
    public required string KeyAgreementAlgorithm { get; init; }
    public required byte[] PublicKey { get; init; }
    public List<string>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }
    public object? Recipient { get; init; }
}

public sealed class DeriveSharedSecretResponse : ISensitiveResponse
{
    public required string KeyId { get; init; }
    public required byte[] SharedSecret { get; init; }
    public required string KeyAgreementAlgorithm { get; init; }
    public required string KeyOrigin { get; init; }

    public void ZeroSecrets() => SecretBytes.Zero(SharedSecret);
}

/// <summary>ECDH between a KEY_AGREEMENT key pair and the peer's public key (DER SubjectPublicKeyInfo): the raw shared secret.</summary>
public sealed class DeriveSharedSecret(KeyMaterialVault vault) : Operation<DeriveSharedSecretRequest, DeriveSharedSecretResponse>
{
    public override void Validate(DeriveSharedSecretRequest request)
    {
        if (request.Recipient is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by this server.");
        }
    }

    public override void Conditions(RequestFacts facts, DeriveSharedSecretRequest request) => facts.With("kms:KeyAgreementAlgorithm", request.KeyAgreementAlgorithm);

    public override ValueTask CheckAsync(OperationCall call, DeriveSharedSecretRequest request)
    {
        KeySpecRules.EnsureUsage(call.Key, KeyUsages.KeyAgreement, nameof(DeriveSharedSecret));
        KeySpecRules.EnsureAlgorithm(call.Key, KeySpecRules.KeyAgreementAlgorithms(call.Key), request.KeyAgreementAlgorithm);
        if (!KeyMaterial.IsPublicKeyOf(call.Key.KeySpec, request.PublicKey))
        {
            throw InvalidPeerKey(call.Key);
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<DeriveSharedSecretResponse> ExecuteAsync(OperationCall call, DeriveSharedSecretRequest request)
    {
        var privateKey = await SignedMessage.PrivateKeyAsync(vault, call);
        SecretBytes secret;
        try
        {
            secret = KeyAgreement.Derive(call.Key.KeySpec, privateKey, request.PublicKey);
        }
        catch (InvalidPeerKeyException)
        {
            throw InvalidPeerKey(call.Key);
        }

        using (secret)
        {
            return new DeriveSharedSecretResponse
            {
                KeyId = call.Key.Arn, SharedSecret = secret.ToArray(), KeyAgreementAlgorithm = request.KeyAgreementAlgorithm, KeyOrigin = call.Key.Origin,
            };
        }
    }

    private static KmsException InvalidPeerKey(KmsKey key) =>
        new(ErrorCode.Validation, $"PublicKey is not a valid DER-encoded public key for key spec {key.KeySpec}.");
}
