using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Service.Authorization;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class ReEncryptRequest : IKeyRequest, IDryRunRequest
{
    public required byte[] CiphertextBlob { get; init; }
    public Dictionary<string, string>? SourceEncryptionContext { get; init; }
    public string? SourceKeyId { get; init; }
    public required string DestinationKeyId { get; init; }
    public Dictionary<string, string>? DestinationEncryptionContext { get; init; }
    public string? SourceEncryptionAlgorithm { get; init; }
    public string? DestinationEncryptionAlgorithm { get; init; }
    public List<string>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }

    string? IKeyRequest.KeyId => SourceKeyId;
}

public sealed class ReEncryptResponse
{
    public required byte[] CiphertextBlob { get; init; }
    public required string SourceKeyId { get; init; }
    public required string KeyId { get; init; }
    public required string SourceEncryptionAlgorithm { get; init; }
    public required string DestinationEncryptionAlgorithm { get; init; }
    public string? SourceKeyMaterialId { get; init; }
    public string? DestinationKeyMaterialId { get; init; }
}

/// <summary>
/// Decrypts and encrypts again under another key (or context) without the plaintext leaving the
/// server. The pipeline authorizes kms:ReEncryptFrom on the source key the blob names; the
/// destination key is authorized here for kms:ReEncryptTo, with the same steps.
/// </summary>
public sealed class ReEncrypt(SymmetricEnvelope envelope, AsymmetricEnvelope asymmetric, KmsAuthorizer authorizer) : Operation<ReEncryptRequest, ReEncryptResponse>
{
    public override async ValueTask<KmsKey> FindKeyAsync(OperationCall call, ReEncryptRequest request)
    {
        // AWS looks the destination up first: a missing one is reported before a bad ciphertext.
        var destination = await call.ResolveAsync(request.DestinationKeyId);
        call.Found = new Work(destination);
        var expected = request.SourceKeyId is null ? null : await call.ResolveAsync(request.SourceKeyId);
        return await envelope.KeyOfAsync(call.Context, request.CiphertextBlob, expected, call.CancellationToken);
    }

    public override void Conditions(RequestFacts facts, ReEncryptRequest request) =>
        facts.EncryptionContext(request.SourceEncryptionContext).EncryptionAlgorithm(request.SourceEncryptionAlgorithm);

    public override IReadOnlyDictionary<string, string>? GrantContext(ReEncryptRequest request) => request.SourceEncryptionContext;

    public override async ValueTask CheckAsync(OperationCall call, ReEncryptRequest request)
    {
        var work = (Work)call.Found!;
        if (KeySpecRules.IsAsymmetric(call.Key.KeySpec))
        {
            AsymmetricEnvelope.Check(call.Key, request.SourceEncryptionAlgorithm, request.SourceEncryptionContext, plaintextLength: null, nameof(ReEncrypt));
            work.Plaintext = await asymmetric.DecryptAsync(call.Key, request.SourceEncryptionAlgorithm!, request.CiphertextBlob, call.CancellationToken);
        }
        else
        {
            SymmetricEnvelope.EnsureSymmetric(call.Key, nameof(ReEncrypt));
            work.Plaintext = await envelope.DecryptAsync(call.Key, request.CiphertextBlob, request.SourceEncryptionContext, call.CancellationToken);
            SymmetricEnvelope.EnsureAlgorithm(call.Key, request.SourceEncryptionAlgorithm, nameof(ReEncrypt));
        }

        await authorizer.AuthorizeAsync(call.Context, "kms:ReEncryptTo", work.Destination, call.CancellationToken,
            f => f.EncryptionContext(request.DestinationEncryptionContext).EncryptionAlgorithm(request.DestinationEncryptionAlgorithm).RequestAlias(request.DestinationKeyId),
            request.DestinationEncryptionContext);
        OperationSteps.EnsureState(KeyStateRule.Enabled, work.Destination);
        if (KeySpecRules.IsAsymmetric(work.Destination.KeySpec))
        {
            AsymmetricEnvelope.Check(work.Destination, request.DestinationEncryptionAlgorithm, request.DestinationEncryptionContext, work.Plaintext.Length,
                nameof(ReEncrypt));
        }
        else
        {
            SymmetricEnvelope.EnsureAlgorithm(work.Destination, request.DestinationEncryptionAlgorithm, nameof(ReEncrypt));
        }
    }

    public override async ValueTask<ReEncryptResponse> ExecuteAsync(OperationCall call, ReEncryptRequest request)
    {
        var work = (Work)call.Found!;
        var destinationAlgorithm = request.DestinationEncryptionAlgorithm ?? EncryptionAlgorithms.SymmetricDefault;
        var blob = KeySpecRules.IsAsymmetric(work.Destination.KeySpec)
            ? await asymmetric.EncryptAsync(work.Destination, destinationAlgorithm, work.Plaintext!, call.CancellationToken)
            : await envelope.EncryptAsync(work.Destination, work.Plaintext!, request.DestinationEncryptionContext, call.CancellationToken);
        return new ReEncryptResponse
        {
            CiphertextBlob = blob,
            SourceKeyId = call.Key.Arn,
            KeyId = work.Destination.Arn,
            SourceEncryptionAlgorithm = request.SourceEncryptionAlgorithm ?? EncryptionAlgorithms.SymmetricDefault,
            DestinationEncryptionAlgorithm = destinationAlgorithm,
            SourceKeyMaterialId = await envelope.MaterialIdOfAsync(call.Key, request.CiphertextBlob, call.CancellationToken),
            DestinationKeyMaterialId = KeyMaterialIds.Current(work.Destination),
        };
    }

    /// <summary>The destination key, and the plaintext once decrypted (zeroed when the call ends).</summary>
    private sealed class Work(KmsKey destination) : IDisposable
    {
        public KmsKey Destination { get; } = destination;

        public SecretBytes? Plaintext { get; set; }

        public void Dispose() => Plaintext?.Dispose();
    }
}
