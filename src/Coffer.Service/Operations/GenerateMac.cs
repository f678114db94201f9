using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class GenerateMacRequest : IMacRequest
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
public sealed class GenerateMac(KeyMaterialVault vault) : MacOperation<GenerateMacRequest, GenerateMacResponse>(nameof(GenerateMac))
{
    public override async ValueTask<GenerateMacResponse> ExecuteAsync(OperationCall call, GenerateMacRequest request)
    {
        var key = await SignedMessage.PrivateKeyAsync(vault, call);
        return new GenerateMacResponse { Mac = Crypto.Asymmetric.Mac.Compute(request.MacAlgorithm, key, request.Message), MacAlgorithm = request.MacAlgorithm, KeyId = call.Key.Arn };
    }
}

/// <summary>A GenerateMac or VerifyMac request: a message and the HMAC algorithm.</summary>
public interface IMacRequest : IKeyRequest, IDryRunRequest
{
    byte[] Message { get; }
    string MacAlgorithm { get; }
}

/// <summary>What GenerateMac and VerifyMac share: an HMAC key with the one algorithm its spec takes, the condition key, and zeroing the message.</summary>
public abstract class MacOperation<TRequest, TResponse>(string operation) : Operation<TRequest, TResponse>
    where TRequest : class, IMacRequest
    where TResponse : class
{
    public override void Conditions(RequestFacts facts, TRequest request) => facts.With("kms:MacAlgorithm", request.MacAlgorithm);

    public override ValueTask CheckAsync(OperationCall call, TRequest request)
    {
        KeySpecRules.EnsureUsage(call.Key, KeyUsages.GenerateVerifyMac, operation);
        KeySpecRules.EnsureAlgorithm(call.Key, KeySpecRules.MacAlgorithms(call.Key), request.MacAlgorithm);
        return ValueTask.CompletedTask;
    }

    public override void Release(TRequest request) => SecretBytes.Zero(request.Message);
}
