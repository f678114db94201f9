using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Coffer.Core;
using Coffer.Protocol.Json;
using Coffer.Service;
using Coffer.Service.Operations;

namespace Coffer.Protocol;

/// <summary>
/// The one dispatch table: KMS operation name → input shape, typed request, handler. Operations
/// Coffer does not serve yet are absent, and callers get UnknownOperationException for them.
/// </summary>
public sealed class KmsDispatcher
{
    private readonly Dictionary<string, Entry> _operations = new(StringComparer.Ordinal);

    public KmsDispatcher(KmsRuntime runtime)
    {
        var json = KmsJsonContext.Default;
        Add("CreateKey", new CreateKey(runtime), json.CreateKeyRequest);
        Add("DescribeKey", new DescribeKey(runtime), json.DescribeKeyRequest);
        Add("ListKeys", new ListKeys(runtime), json.ListKeysRequest);
        Add("UpdateKeyDescription", new UpdateKeyDescription(runtime), json.UpdateKeyDescriptionRequest);
        Add("EnableKey", new EnableKey(runtime), json.KeyIdRequest);
        Add("DisableKey", new DisableKey(runtime), json.KeyIdRequest);
        Add("ScheduleKeyDeletion", new ScheduleKeyDeletion(runtime), json.ScheduleKeyDeletionRequest);
        Add("CancelKeyDeletion", new CancelKeyDeletion(runtime), json.KeyIdRequest);
        Add("CreateAlias", new CreateAlias(runtime), json.CreateAliasRequest);
        Add("UpdateAlias", new UpdateAlias(runtime), json.UpdateAliasRequest);
        Add("DeleteAlias", new DeleteAlias(runtime), json.DeleteAliasRequest);
        Add("ListAliases", new ListAliases(runtime), json.ListAliasesRequest);
        Add("TagResource", new TagResource(runtime), json.TagResourceRequest);
        Add("UntagResource", new UntagResource(runtime), json.UntagResourceRequest);
        Add("ListResourceTags", new ListResourceTags(runtime), json.ListResourceTagsRequest);
        Add("Encrypt", new Encrypt(runtime), json.EncryptRequest);
        Add("Decrypt", new Decrypt(runtime), json.DecryptRequest);
        Add("ReEncrypt", new ReEncrypt(runtime), json.ReEncryptRequest);
        Add("GenerateDataKey", new GenerateDataKey(runtime, includePlaintext: true), json.GenerateDataKeyRequest);
        Add("GenerateDataKeyWithoutPlaintext", new GenerateDataKey(runtime, includePlaintext: false), json.GenerateDataKeyRequest);
        Add("GenerateRandom", new GenerateRandom(runtime), json.GenerateRandomRequest);
        Add("PutKeyPolicy", new PutKeyPolicy(runtime), json.PutKeyPolicyRequest);
        Add("GetKeyPolicy", new GetKeyPolicy(runtime), json.GetKeyPolicyRequest);
        Add("ListKeyPolicies", new ListKeyPolicies(runtime), json.ListKeyPoliciesRequest);
        Add("CreateGrant", new CreateGrant(runtime), json.CreateGrantRequest);
        Add("ListGrants", new ListGrants(runtime), json.ListGrantsRequest);
        Add("ListRetirableGrants", new ListRetirableGrants(runtime), json.ListRetirableGrantsRequest);
        Add("RetireGrant", new RetireGrant(runtime), json.RetireGrantRequest);
        Add("RevokeGrant", new RevokeGrant(runtime), json.RevokeGrantRequest);
    }

    /// <summary>The names of the operations served, for documentation and tests.</summary>
    public IReadOnlyCollection<string> OperationNames => _operations.Keys;

    internal bool TryGet(string operation, out Entry entry) => _operations.TryGetValue(operation, out entry!);

    private void Add<TRequest, TResponse>(string name, KmsOperation<TRequest, TResponse> operation, JsonTypeInfo<TRequest> requestInfo)
        where TRequest : class
        where TResponse : class
    {
        var input = KmsModel.OperationInputs[name];
        _operations.Add(name, new Entry(name, input, async (context, body, cancellationToken) =>
        {
            TRequest? request;
            try
            {
                request = body.Deserialize(requestInfo);
            }
            catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException)
            {
                // The model check passed, so this is a value it cannot see, such as invalid UTF-8.
                throw new KmsException(RequestValidator.SerializationError, null);
            }

            return await operation.ExecuteAsync(context, request ?? throw new KmsException(RequestValidator.SerializationError, null), cancellationToken);
        }));
    }

    /// <summary>One operation: its model input shape and a handler taking the validated body.</summary>
    internal sealed record Entry(string Name, ModelShape Input, Func<RequestContext, JsonElement, CancellationToken, Task<object>> Handle);
}
