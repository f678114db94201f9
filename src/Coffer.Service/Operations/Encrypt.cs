using Coffer.Service.Authorization;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class EncryptRequest
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

public sealed class Encrypt(KmsRuntime runtime) : KmsOperation<EncryptRequest, EncryptResponse>
{
    private readonly SymmetricEnvelope _envelope = new(runtime);

    public override async ValueTask<EncryptResponse> ExecuteAsync(RequestContext context, EncryptRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOrAlias, CrossAccountUse.Yes, cancellationToken);
            await runtime.Authorizer.AuthorizeAsync(context, "kms:Encrypt", key, cancellationToken,
                f => f.EncryptionContext(request.EncryptionContext).EncryptionAlgorithm(request.EncryptionAlgorithm).RequestAlias(request.KeyId),
                request.EncryptionContext);
            KeyStateRules.EnsureUsableForCrypto(key);
            SymmetricEnvelope.EnsureAlgorithm(key, request.EncryptionAlgorithm, nameof(Encrypt));
            if (request.DryRun == true)
            {
                KmsErrors.DryRunSucceeded();
            }

            var blob = await _envelope.EncryptAsync(key, request.Plaintext, request.EncryptionContext, cancellationToken);
            return new EncryptResponse { CiphertextBlob = blob, KeyId = key.Arn, EncryptionAlgorithm = EncryptionAlgorithms.SymmetricDefault };
        }
        finally
        {
            SecretBytes.Zero(request.Plaintext);
        }
    }
}
