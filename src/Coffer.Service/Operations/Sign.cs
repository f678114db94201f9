using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

namespace Coffer.Service.Operations;

public sealed class SignRequest : ISignedMessageRequest
{
    public required string KeyId { get; init; }
    public required byte[] Message { get; init; }
    public string? MessageType { get; init; }
    public List<string>? GrantTokens { get; init; }
    public required string SigningAlgorithm { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class SignResponse
{
    public required string KeyId { get; init; }
    public required byte[] Signature { get; init; }
    public required string SigningAlgorithm { get; init; }
}

/// <summary>Signs a message or its digest with the private key of an asymmetric SIGN_VERIFY key; the message never reaches the trail.</summary>
public sealed class Sign(KeyMaterialVault vault) : SigningOperation<SignRequest, SignResponse>(nameof(Sign))
{
    public override async ValueTask<SignResponse> ExecuteAsync(OperationCall call, SignRequest request)
    {
        var material = await SignedMessage.PrivateKeyAsync(vault, call);
        var signature = Crypto.Asymmetric.Signer.Sign(call.Key.KeySpec, material, request.SigningAlgorithm, SignedMessage.TypeOf(request.MessageType), request.Message);
        return new SignResponse { KeyId = call.Key.Arn, Signature = signature, SigningAlgorithm = request.SigningAlgorithm };
    }

}

/// <summary>A Sign or Verify request: a message (or its digest) and how it is signed.</summary>
public interface ISignedMessageRequest : IKeyRequest, IDryRunRequest
{
    byte[] Message { get; }
    string? MessageType { get; }
    string SigningAlgorithm { get; }
}

/// <summary>What Sign and Verify share: their condition keys, their checks, and zeroing the message.</summary>
public abstract class SigningOperation<TRequest, TResponse>(string operation) : Operation<TRequest, TResponse>
    where TRequest : class, ISignedMessageRequest
    where TResponse : class
{
    public override void Conditions(RequestFacts facts, TRequest request) =>
        facts.With("kms:SigningAlgorithm", request.SigningAlgorithm).With("kms:MessageType", SignedMessage.TypeOf(request.MessageType));

    public override ValueTask CheckAsync(OperationCall call, TRequest request)
    {
        SignedMessage.Check(call.Key, request.SigningAlgorithm, request.MessageType, request.Message, operation);
        return ValueTask.CompletedTask;
    }

    public override void Release(TRequest request) => SecretBytes.Zero(request.Message);
}

/// <summary>The checks Sign and Verify share: the key's usage, the algorithm its spec allows, and the message type and length the algorithm takes.</summary>
internal static class SignedMessage
{
    public const string Raw = "RAW";

    public static string TypeOf(string? messageType) => messageType ?? Raw;

    public static void Check(KmsKey key, string algorithm, string? messageType, byte[] message, string operation)
    {
        KeySpecRules.EnsureUsage(key, KeyUsages.SignVerify, operation);
        KeySpecRules.EnsureAlgorithm(key, KeySpecRules.SigningAlgorithms(key), algorithm);
        var type = TypeOf(messageType);
        if (!Crypto.Asymmetric.Signer.AcceptsMessageType(algorithm, type))
        {
            KmsErrors.ValidationFailed($"Message type {type} is incompatible with key spec {key.KeySpec}.");
        }

        if (Crypto.Asymmetric.Signer.RequiredMessageLength(algorithm, type) is { } length && message.Length != length)
        {
            KmsErrors.ValidationFailed($"Digest is invalid length for algorithm {algorithm}.");
        }
    }

    public static ValueTask<SecretBytes> PrivateKeyAsync(KeyMaterialVault vault, OperationCall call) => vault.GetCurrentAsync(call.Key, call.CancellationToken);
}
