using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class GenerateMacRequest : IKeyRequest, IDryRunRequest
{
    public required byte[] Message { get; init; }
    public required string KeyId { get; init; }
    public required string MacAlgorithm { get; init; }
    public List<string>? GrantTokens { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class GenerateMacResponse
{
    public required byte[] Mac { get; init; }
    public required string MacAlgorithm { get; init; }
    public required string KeyId { get; init; }
}

/// <summary>An HMAC of the message under an HMAC key; the message never reaches the trail.</summary>
public sealed class GenerateMac(KeyMaterialVault vault) : Operation<GenerateMacRequest, GenerateMacResponse>
{
    public override void Conditions(RequestFacts facts, GenerateMacRequest request) => facts.With("kms:MacAlgorithm", request.MacAlgorithm);

    public override ValueTask CheckAsync(OperationCall call, GenerateMacRequest request)
    {
        MacKey.Check(call.Key, request.MacAlgorithm, nameof(GenerateMac));
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<GenerateMacResponse> ExecuteAsync(OperationCall call, GenerateMacRequest request)
    {
        var key = await SignedMessage.PrivateKeyAsync(vault, call);
        return new GenerateMacResponse { Mac = Crypto.Asymmetric.Mac.Compute(request.MacAlgorithm, key, request.Message), MacAlgorithm = request.MacAlgorithm, KeyId = call.Key.Arn };
    }

    public override void Release(GenerateMacRequest request) => SecretBytes.Zero(request.Message);
}

/// <summary>The checks GenerateMac and VerifyMac share: an HMAC key, and the one algorithm its spec takes.</summary>
internal static class MacKey
{
    public static void Check(KmsKey key, string algorithm, string operation)
    {
        KeySpecRules.EnsureUsage(key, KeyUsages.GenerateVerifyMac, operation);
        KeySpecRules.EnsureAlgorithm(key, KeySpecRules.MacAlgorithms(key), algorithm);
    }
}
