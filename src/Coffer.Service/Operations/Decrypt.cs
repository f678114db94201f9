using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Service.Authorization;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class DecryptRequest : IKeyRequest, IDryRunRequest
{
    public required byte[] CiphertextBlob { get; init; }
    public Dictionary<string, string>? EncryptionContext { get; init; }
    public List<string>? GrantTokens { get; init; }
    public string? KeyId { get; init; }
    public string? EncryptionAlgorithm { get; init; }
    public object? Recipient { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class DecryptResponse : ISensitiveResponse
{
    public required string KeyId { get; init; }
    public required byte[] Plaintext { get; init; }
    public required string EncryptionAlgorithm { get; init; }
    public string? KeyMaterialId { get; init; }

    public void ZeroSecrets() => SecretBytes.Zero(Plaintext);
}

/// <summary>
/// Decrypts a ciphertext; the key comes from the blob itself. It is decrypted before DryRun
/// answers, so a DryRun says whether the real call would succeed.
/// </summary>
public sealed class Decrypt(SymmetricEnvelope envelope, AsymmetricEnvelope asymmetric) : Operation<DecryptRequest, DecryptResponse>
{
    public override void Validate(DecryptRequest request)
    {
        if (request.Recipient is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by this server.");
        }
    }

    public override async ValueTask<KmsKey> FindKeyAsync(OperationCall call, DecryptRequest request)
    {
        var expected = request.KeyId is null ? null : await call.ResolveAsync(request.KeyId);
        return await envelope.KeyOfAsync(call.Context, request.CiphertextBlob, expected, call.CancellationToken);
    }

    public override void Conditions(RequestFacts facts, DecryptRequest request) =>
        facts.EncryptionContext(request.EncryptionContext).EncryptionAlgorithm(request.EncryptionAlgorithm);

    public override IReadOnlyDictionary<string, string>? GrantContext(DecryptRequest request) => request.EncryptionContext;

    public override async ValueTask CheckAsync(OperationCall call, DecryptRequest request)
    {
        if (KeySpecRules.IsAsymmetric(call.Key.KeySpec))
        {
            AsymmetricEnvelope.Check(call.Key, request.EncryptionAlgorithm, request.EncryptionContext, plaintextLength: null, nameof(Decrypt));
            call.Found = await asymmetric.DecryptAsync(call.Key, request.EncryptionAlgorithm!, request.CiphertextBlob, call.CancellationToken);
            return;
        }

        SymmetricEnvelope.EnsureSymmetric(call.Key, nameof(Decrypt));
        call.Found = await envelope.DecryptAsync(call.Key, request.CiphertextBlob, request.EncryptionContext, call.CancellationToken);
        SymmetricEnvelope.EnsureAlgorithm(call.Key, request.EncryptionAlgorithm, nameof(Decrypt));
    }

    public override async ValueTask<DecryptResponse> ExecuteAsync(OperationCall call, DecryptRequest request) => new()
    {
        KeyId = call.Key.Arn,
        Plaintext = ((SecretBytes)call.Found!).ToArray(),
        EncryptionAlgorithm = request.EncryptionAlgorithm ?? EncryptionAlgorithms.SymmetricDefault,
        KeyMaterialId = await envelope.MaterialIdOfAsync(call.Key, request.CiphertextBlob, call.CancellationToken),
    };
}
