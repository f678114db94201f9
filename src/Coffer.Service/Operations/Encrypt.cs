using Coffer.Service.Authorization;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class EncryptRequest : IKeyRequest, IDryRunRequest
{
    public required string KeyId { get; init; }
    public required byte[] Plaintext { get; init; }
    public Dictionary<string, string>? EncryptionContext { get; init; }
    public List<string>? GrantTokens { get; init; }
    public string? EncryptionAlgorithm { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class EncryptResponse
{
    public required byte[] CiphertextBlob { get; init; }
    public required string KeyId { get; init; }
    public required string EncryptionAlgorithm { get; init; }
}

public sealed class Encrypt(SymmetricEnvelope envelope, AsymmetricEnvelope asymmetric) : Operation<EncryptRequest, EncryptResponse>
{
    public override void Conditions(RequestFacts facts, EncryptRequest request) =>
        facts.EncryptionContext(request.EncryptionContext).EncryptionAlgorithm(request.EncryptionAlgorithm);

    public override IReadOnlyDictionary<string, string>? GrantContext(EncryptRequest request) => request.EncryptionContext;

    public override ValueTask CheckAsync(OperationCall call, EncryptRequest request)
    {
        if (KeySpecRules.IsAsymmetric(call.Key.KeySpec))
        {
            AsymmetricEnvelope.Check(call.Key, request.EncryptionAlgorithm, request.EncryptionContext, request.Plaintext.Length, nameof(Encrypt));
        }
        else
        {
            SymmetricEnvelope.EnsureAlgorithm(call.Key, request.EncryptionAlgorithm, nameof(Encrypt));
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<EncryptResponse> ExecuteAsync(OperationCall call, EncryptRequest request)
    {
        if (KeySpecRules.IsAsymmetric(call.Key.KeySpec))
        {
            var algorithm = request.EncryptionAlgorithm!;
            return new EncryptResponse
            {
                CiphertextBlob = await asymmetric.EncryptAsync(call.Key, algorithm, request.Plaintext, call.CancellationToken), KeyId = call.Key.Arn, EncryptionAlgorithm = algorithm,
            };
        }

        var blob = await envelope.EncryptAsync(call.Key, request.Plaintext, request.EncryptionContext, call.CancellationToken);
        return new EncryptResponse { CiphertextBlob = blob, KeyId = call.Key.Arn, EncryptionAlgorithm = EncryptionAlgorithms.SymmetricDefault };
    }

    public override void Release(EncryptRequest request) => SecretBytes.Zero(request.Plaintext);
}
