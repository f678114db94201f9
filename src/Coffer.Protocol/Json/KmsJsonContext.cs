using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Service;
using Coffer.Service.Operations;

namespace Coffer.Protocol.Json;

/// <summary>
/// Source-generated (de)serialisation of every KMS request and response, with AWS's conventions:
/// member names as in the model, absent rather than null members, timestamps as epoch seconds.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreateKeyResponse))]
[JsonSerializable(typeof(DescribeKeyRequest))]
[JsonSerializable(typeof(DescribeKeyResponse))]
[JsonSerializable(typeof(ListKeysRequest))]
[JsonSerializable(typeof(ListKeysResponse))]
[JsonSerializable(typeof(UpdateKeyDescriptionRequest))]
[JsonSerializable(typeof(KeyIdRequest))]
[JsonSerializable(typeof(ScheduleKeyDeletionRequest))]
[JsonSerializable(typeof(ScheduleKeyDeletionResponse))]
[JsonSerializable(typeof(CancelKeyDeletionResponse))]
[JsonSerializable(typeof(CreateAliasRequest))]
[JsonSerializable(typeof(UpdateAliasRequest))]
[JsonSerializable(typeof(DeleteAliasRequest))]
[JsonSerializable(typeof(ListAliasesRequest))]
[JsonSerializable(typeof(ListAliasesResponse))]
[JsonSerializable(typeof(TagResourceRequest))]
[JsonSerializable(typeof(UntagResourceRequest))]
[JsonSerializable(typeof(ListResourceTagsRequest))]
[JsonSerializable(typeof(ListResourceTagsResponse))]
[JsonSerializable(typeof(EncryptRequest))]
[JsonSerializable(typeof(EncryptResponse))]
[JsonSerializable(typeof(DecryptRequest))]
[JsonSerializable(typeof(DecryptResponse))]
[JsonSerializable(typeof(ReEncryptRequest))]
[JsonSerializable(typeof(ReEncryptResponse))]
[JsonSerializable(typeof(GenerateDataKeyRequest))]
[JsonSerializable(typeof(GenerateDataKeyResponse))]
[JsonSerializable(typeof(GenerateRandomRequest))]
[JsonSerializable(typeof(GenerateRandomResponse))]
[JsonSerializable(typeof(PutKeyPolicyRequest))]
[JsonSerializable(typeof(GetKeyPolicyRequest))]
[JsonSerializable(typeof(GetKeyPolicyResponse))]
[JsonSerializable(typeof(ListKeyPoliciesRequest))]
[JsonSerializable(typeof(ListKeyPoliciesResponse))]
[JsonSerializable(typeof(CreateGrantRequest))]
[JsonSerializable(typeof(CreateGrantResponse))]
[JsonSerializable(typeof(ListGrantsRequest))]
[JsonSerializable(typeof(ListGrantsResponse))]
[JsonSerializable(typeof(ListRetirableGrantsRequest))]
[JsonSerializable(typeof(RetireGrantRequest))]
[JsonSerializable(typeof(RevokeGrantRequest))]
internal sealed partial class KmsJsonContext : JsonSerializerContext;

/// <summary>AWS JSON 1.1 timestamps: seconds since the epoch, with milliseconds as a fraction.</summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)(reader.GetDouble() * 1000));

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteRawValue((value.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture), skipInputValidation: true);
}
