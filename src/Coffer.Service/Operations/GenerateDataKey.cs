using Coffer.Service.Pipeline;
using Coffer.Service.Authorization;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Service.Keys;

namespace Coffer.Service.Operations;

public sealed class GenerateDataKeyRequest : IKeyRequest, IDryRunRequest
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
    public string? KeyMaterialId { get; init; }

    public void ZeroSecrets() => SecretBytes.Zero(Plaintext);
}

/// <summary>
/// GenerateDataKey and GenerateDataKeyWithoutPlaintext: a fresh random data key, encrypted under
/// the KMS key, with or without its plaintext copy in the response.
/// </summary>
public sealed class GenerateDataKey(SymmetricEnvelope envelope, bool includePlaintext) : Operation<GenerateDataKeyRequest, GenerateDataKeyResponse>
{
    public override void Validate(GenerateDataKeyRequest request)
    {
        DataKeySize(request);
        if (request.Recipient is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by this server.");
        }
    }

    public override void Conditions(RequestFacts facts, GenerateDataKeyRequest request) => facts.EncryptionContext(request.EncryptionContext);

    public override IReadOnlyDictionary<string, string>? GrantContext(GenerateDataKeyRequest request) => request.EncryptionContext;

    public override ValueTask CheckAsync(OperationCall call, GenerateDataKeyRequest request)
    {
        SymmetricEnvelope.EnsureSymmetric(call.Key, includePlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext");
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<GenerateDataKeyResponse> ExecuteAsync(OperationCall call, GenerateDataKeyRequest request)
    {
        using var dataKey = SecretBytes.Random(DataKeySize(request));
        var blob = await envelope.EncryptAsync(call.Key, dataKey, request.EncryptionContext, call.CancellationToken);
        return new GenerateDataKeyResponse
        {
            CiphertextBlob = blob, Plaintext = includePlaintext ? dataKey.ToArray() : null, KeyId = call.Key.Arn, KeyMaterialId = KeyMaterialIds.Current(call.Key),
        };
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
