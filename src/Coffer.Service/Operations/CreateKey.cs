using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Service.Authorization;
using Coffer.Service.Keys;

using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class CreateKeyRequest
{
    public string? Policy { get; init; }
    public string? Description { get; init; }
    public string? KeyUsage { get; init; }
    public string? CustomerMasterKeySpec { get; init; }
    public string? KeySpec { get; init; }
    public string? Origin { get; init; }
    public string? CustomKeyStoreId { get; init; }
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
    public List<Tag>? Tags { get; init; }
    public bool? MultiRegion { get; init; }
    public string? XksKeyId { get; init; }
}

public sealed class CreateKeyResponse
{
    public required KeyMetadata KeyMetadata { get; init; }
}

/// <summary>
/// Creates a key of any spec AWS offers, with fresh material (a symmetric key, an HMAC key, or a
/// key pair), or, with Origin EXTERNAL, a key in PendingImport that waits for imported material.
/// </summary>
public sealed class CreateKey(ICofferStore store, KeyMaterialVault vault, KmsAuthorizer authorizer, TimeProvider clock) : Operation<CreateKeyRequest, CreateKeyResponse>
{
    public override void Validate(CreateKeyRequest request)
    {
        if (request.KeySpec is not null && request.CustomerMasterKeySpec is not null)
        {
            KmsErrors.ValidationFailed("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
        }

        var (spec, usage) = SpecAndUsage(request);
        if (request.KeyUsage is null && spec != KeySpecs.SymmetricDefault)
        {
            KmsErrors.ValidationFailed("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.");
        }

        if (!KeySpecRules.UsagesOf(spec).Contains(usage))
        {
            KmsErrors.ValidationFailed($"KeyUsage {usage} is not compatible with KeySpec {spec}");
        }

        if (request.Origin is not null && request.Origin != KeyOrigins.AwsKms && request.Origin != KeyOrigins.External)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, $"Origin {request.Origin} is not supported by this server yet.");
        }

        if (request.Origin == KeyOrigins.External && !KeyImporter.AcceptsImportFor(spec))
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, $"KeySpec {spec} does not support Origin {KeyOrigins.External}.");
        }

        if (request.CustomKeyStoreId is not null || request.XksKeyId is not null)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Custom key stores are not supported by this server.");
        }

        if (request.MultiRegion == true)
        {
            KmsErrors.Throw(KmsErrors.UnsupportedOperation, "Multi-Region keys are not supported by this server yet.");
        }
    }

    public override void Conditions(RequestFacts facts, CreateKeyRequest request)
    {
        var (spec, usage) = SpecAndUsage(request);
        facts.With("kms:KeySpec", spec).With("kms:KeyUsage", usage).With("kms:KeyOrigin", request.Origin ?? KeyOrigins.AwsKms)
            .With("kms:MultiRegion", "false")
            .With("kms:BypassPolicyLockoutSafetyCheck", request.BypassPolicyLockoutSafetyCheck == true ? "true" : "false")
            .RequestTags(request.Tags);
    }

    public override ValueTask CheckAsync(OperationCall call, CreateKeyRequest request)
    {
        KeySpecRules.EnsureAvailableIn(SpecAndUsage(request).Spec, call.Context.Region);

        TagRules.Validate(request.Tags);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<CreateKeyResponse> ExecuteAsync(OperationCall call, CreateKeyRequest request)
    {
        var context = call.Context;
        var tags = TagRules.Validate(request.Tags);
        var key = new KmsKey
        {
            KeyId = RandomSource.Uuid().ToString("D"),
            AccountId = context.AccountId,
            Region = context.Region,
            CreationDate = clock.GetUtcNow(),
            Description = request.Description ?? "",
            State = Imported(request) ? KeyState.PendingImport : KeyState.Enabled,
            KeySpec = SpecAndUsage(request).Spec,
            KeyUsage = SpecAndUsage(request).Usage,
            Origin = request.Origin ?? KeyOrigins.AwsKms,
        };
        var policy = KeyPolicies.Default(context.AccountId);
        if (request.Policy is not null)
        {
            await KeyPolicies.ValidateAsync(authorizer, context, request.Policy, key.Arn, request.BypassPolicyLockoutSafetyCheck == true, call.CancellationToken);
            policy = request.Policy;
        }

        context.Touch(key.Arn);
        // A key for imported material has none until ImportKeyMaterial brings it.
        var material = Imported(request) ? null : await vault.CreateMaterialAsync(key, key.CurrentMaterialVersion, call.CancellationToken);
        await store.InsertKeyAsync(key, policy, tags, material, call.CancellationToken);
        return new CreateKeyResponse { KeyMetadata = KeyMetadata.From(key) };
    }

    private static bool Imported(CreateKeyRequest request) => request.Origin == KeyOrigins.External;

    private static (string Spec, string Usage) SpecAndUsage(CreateKeyRequest request) =>
        (request.KeySpec ?? request.CustomerMasterKeySpec ?? KeySpecs.SymmetricDefault, request.KeyUsage ?? KeyUsages.EncryptDecrypt);
}
