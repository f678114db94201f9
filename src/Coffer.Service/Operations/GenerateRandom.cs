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

public sealed class GenerateRandom(KmsRuntime runtime) : KmsOperation<GenerateRandomRequest, GenerateRandomResponse>
{
    public override async ValueTask<GenerateRandomResponse> ExecuteAsync(RequestContext context, GenerateRandomRequest request, CancellationToken cancellationToken)
    {
        if (request.NumberOfBytes is not { } count)
        {
            KmsErrors.ValidationFailed("NumberOfBytes is required.");
            return null!;
        }

        if (request.CustomKeyStoreId is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Custom key stores are not supported by this server.");
        }

        if (request.Recipient is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by this server.");
        }

        await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, "kms:GenerateRandom", "*", cancellationToken);
        return new GenerateRandomResponse { Plaintext = RandomSource.Bytes(count) };
    }
}
