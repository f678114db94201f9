using Coffer.Service.Authorization;
using Coffer.Core;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class ReEncryptRequest
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
}

public sealed class ReEncryptResponse
{
    public required byte[] CiphertextBlob { get; init; }
    public required string SourceKeyId { get; init; }
    public required string KeyId { get; init; }
    public required string SourceEncryptionAlgorithm { get; init; }
    public required string DestinationEncryptionAlgorithm { get; init; }
}

/// <summary>Decrypts and encrypts again under another key (or context) without the plaintext leaving the server.</summary>
public sealed class ReEncrypt(KmsRuntime runtime) : KmsOperation<ReEncryptRequest, ReEncryptResponse>
{
    private readonly SymmetricEnvelope _envelope = new(runtime);

    public override async ValueTask<ReEncryptResponse> ExecuteAsync(RequestContext context, ReEncryptRequest request, CancellationToken cancellationToken)
    {
        var destination = await runtime.Resolver.ResolveAsync(context, request.DestinationKeyId, KeyIdForms.KeyOrAlias, CrossAccountUse.Yes, cancellationToken);
        var (source, plaintext) = await _envelope.DecryptAsync(context, request.CiphertextBlob, request.SourceEncryptionContext, request.SourceKeyId,
            key => runtime.Authorizer.AuthorizeAsync(context, "kms:ReEncryptFrom", key, cancellationToken,
                f => f.EncryptionContext(request.SourceEncryptionContext).EncryptionAlgorithm(request.SourceEncryptionAlgorithm).RequestAlias(request.SourceKeyId),
                request.SourceEncryptionContext),
            cancellationToken);
        using (plaintext)
        {
            SymmetricEnvelope.EnsureAlgorithm(source, request.SourceEncryptionAlgorithm, nameof(ReEncrypt));
            await runtime.Authorizer.AuthorizeAsync(context, "kms:ReEncryptTo", destination, cancellationToken,
                f => f.EncryptionContext(request.DestinationEncryptionContext).EncryptionAlgorithm(request.DestinationEncryptionAlgorithm).RequestAlias(request.DestinationKeyId),
                request.DestinationEncryptionContext);
            KeyStateRules.EnsureUsableForCrypto(destination);
            SymmetricEnvelope.EnsureAlgorithm(destination, request.DestinationEncryptionAlgorithm, nameof(ReEncrypt));
            if (request.DryRun == true)
            {
                KmsErrors.DryRunSucceeded();
            }

            var blob = await _envelope.EncryptAsync(destination, plaintext, request.DestinationEncryptionContext, cancellationToken);
            return new ReEncryptResponse
            {
                CiphertextBlob = blob,
                SourceKeyId = source.Arn,
                KeyId = destination.Arn,
                SourceEncryptionAlgorithm = EncryptionAlgorithms.SymmetricDefault,
                DestinationEncryptionAlgorithm = EncryptionAlgorithms.SymmetricDefault,
            };
        }
    }
}
