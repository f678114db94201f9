using Coffer.Service.Authorization;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class DecryptRequest
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

    public void ZeroSecrets() => SecretBytes.Zero(Plaintext);
}

public sealed class Decrypt(KmsRuntime runtime) : KmsOperation<DecryptRequest, DecryptResponse>
{
    private readonly SymmetricEnvelope _envelope = new(runtime);

    public override async ValueTask<DecryptResponse> ExecuteAsync(RequestContext context, DecryptRequest request, CancellationToken cancellationToken)
    {
        if (request.Recipient is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by this server.");
        }

        var (key, plaintext) = await _envelope.DecryptAsync(context, request.CiphertextBlob, request.EncryptionContext, request.KeyId,
            key => runtime.Authorizer.AuthorizeAsync(context, "kms:Decrypt", key, cancellationToken,
                f => f.EncryptionContext(request.EncryptionContext).EncryptionAlgorithm(request.EncryptionAlgorithm).RequestAlias(request.KeyId),
                request.EncryptionContext),
            cancellationToken);
        using (plaintext)
        {
            SymmetricEnvelope.EnsureAlgorithm(key, request.EncryptionAlgorithm, nameof(Decrypt));
            if (request.DryRun == true)
            {
                KmsErrors.DryRunSucceeded();
            }

            return new DecryptResponse { KeyId = key.Arn, Plaintext = plaintext.ToArray(), EncryptionAlgorithm = EncryptionAlgorithms.SymmetricDefault };
        }
    }
}
