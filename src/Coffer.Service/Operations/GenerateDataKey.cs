using Coffer.Service.Authorization;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class GenerateDataKeyRequest
{
    public required string KeyId { get; init; }
    public Dictionary<string, string>? EncryptionContext { get; init; }
    public int? NumberOfBytes { get; init; }
    public string? KeySpec { get; init; }
    public List<string>? GrantTokens { get; init; }
    public object? Recipient { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class GenerateDataKeyResponse : ISensitiveResponse
{
    public required byte[] CiphertextBlob { get; init; }
    public byte[]? Plaintext { get; init; }
    public required string KeyId { get; init; }

    public void ZeroSecrets() => SecretBytes.Zero(Plaintext);
}

/// <summary>
/// GenerateDataKey and GenerateDataKeyWithoutPlaintext: a fresh random data key, encrypted under
/// the KMS key, with or without its plaintext copy in the response.
/// </summary>
public sealed class GenerateDataKey(KmsRuntime runtime, bool includePlaintext) : KmsOperation<GenerateDataKeyRequest, GenerateDataKeyResponse>
{
    private readonly SymmetricEnvelope _envelope = new(runtime);

    public override async ValueTask<GenerateDataKeyResponse> ExecuteAsync(RequestContext context, GenerateDataKeyRequest request, CancellationToken cancellationToken)
    {
        var size = DataKeySize(request);
        if (request.Recipient is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by this server.");
        }

        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOrAlias, CrossAccountUse.Yes, cancellationToken);
        await runtime.Authorizer.AuthorizeAsync(context, includePlaintext ? "kms:GenerateDataKey" : "kms:GenerateDataKeyWithoutPlaintext", key, cancellationToken,
            f => f.EncryptionContext(request.EncryptionContext).RequestAlias(request.KeyId), request.EncryptionContext);
        KeyStateRules.EnsureUsableForCrypto(key);
        if (request.DryRun == true)
        {
            KmsErrors.DryRunSucceeded();
        }

        using var dataKey = SecretBytes.Random(size);
        var blob = await _envelope.EncryptAsync(key, dataKey, request.EncryptionContext, cancellationToken);
        return new GenerateDataKeyResponse { CiphertextBlob = blob, Plaintext = includePlaintext ? dataKey.ToArray() : null, KeyId = key.Arn };
    }

    private static int DataKeySize(GenerateDataKeyRequest request) => (request.NumberOfBytes, request.KeySpec) switch
    {
        (int bytes, null) => bytes,
        (null, "AES_256") => 32,
        (null, "AES_128") => 16,
        _ => ThrowEitherBytesOrSpec(),
    };

    private static int ThrowEitherBytesOrSpec()
    {
        KmsErrors.ValidationFailed("Please specify either number of bytes or key spec.");
        return 0;
    }
}
