using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Crypto;

namespace Coffer.Service.Operations;

public sealed class GenerateRandomRequest
{
    public int? NumberOfBytes { get; init; }
    public string? CustomKeyStoreId { get; init; }
    public object? Recipient { get; init; }
}

public sealed class GenerateRandomResponse : ISensitiveResponse
{
    public required byte[] Plaintext { get; init; }

    public void ZeroSecrets() => SecretBytes.Zero(Plaintext);
}

public sealed class GenerateRandom : Operation<GenerateRandomRequest, GenerateRandomResponse>
{
    public override void Validate(GenerateRandomRequest request)
    {
        if (request.NumberOfBytes is null)
        {
            KmsErrors.ValidationFailed("NumberOfBytes is required.");
        }

        if (request.CustomKeyStoreId is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Custom key stores are not supported by this server.");
        }

        if (request.Recipient is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by this server.");
        }
    }

    public override ValueTask<GenerateRandomResponse> ExecuteAsync(OperationCall call, GenerateRandomRequest request) =>
        ValueTask.FromResult(new GenerateRandomResponse { Plaintext = RandomSource.Bytes(request.NumberOfBytes!.Value) });
}
