using Coffer.Core;
using Coffer.Crypto.Import;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class GetParametersForImportRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public required string WrappingAlgorithm { get; init; }
    public required string WrappingKeySpec { get; init; }
}

public sealed class GetParametersForImportResponse
{
    public required string KeyId { get; init; }
    public required byte[] ImportToken { get; init; }
    public required byte[] PublicKey { get; init; }
    public required DateTimeOffset ParametersValidTo { get; init; }
}

/// <summary>
/// A wrapping public key (DER SubjectPublicKeyInfo) and an import token for one EXTERNAL key, both
/// valid for 24 hours; a new call replaces the previous parameters.
/// </summary>
public sealed class GetParametersForImport(KeyImporter importer) : Operation<GetParametersForImportRequest, GetParametersForImportResponse>
{
    public override void Validate(GetParametersForImportRequest request)
    {
        if (request.WrappingAlgorithm == "RSAES_PKCS1_V1_5")
        {
            KmsErrors.ValidationFailed("The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported. Use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.");
        }

        if (!ImportWrapping.IsAllowed(request.WrappingAlgorithm, request.WrappingKeySpec))
        {
            KmsErrors.ValidationFailed($"Wrapping algorithm {request.WrappingAlgorithm} cannot be used with wrapping key spec {request.WrappingKeySpec}.");
        }
    }

    public override ValueTask CheckAsync(OperationCall call, GetParametersForImportRequest request)
    {
        KeyImporter.EnsureExternal(call.Key);
        KeySpecRules.EnsureAvailableIn(request.WrappingKeySpec, call.Context.Region);
        if (call.Key.KeySpec.StartsWith("RSA_", StringComparison.Ordinal) && request.WrappingAlgorithm.StartsWith("RSAES_OAEP_", StringComparison.Ordinal))
        {
            // An RSA private key is longer than RSA-OAEP can carry in one block.
            KmsErrors.ValidationFailed($"To import an RSA private key, you must use an RSA_AES wrapping algorithm, not {request.WrappingAlgorithm}.");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<GetParametersForImportResponse> ExecuteAsync(OperationCall call, GetParametersForImportRequest request)
    {
        var (publicKey, token, validTo) = await importer.CreateParametersAsync(call.Key, request.WrappingAlgorithm, request.WrappingKeySpec, call.CancellationToken);
        return new GetParametersForImportResponse { KeyId = call.Key.Arn, ImportToken = token, PublicKey = publicKey, ParametersValidTo = validTo };
    }
}
