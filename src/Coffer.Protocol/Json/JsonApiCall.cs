using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Coffer.Service.Operations;
using Coffer.Service.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol.Json;

/// <summary>
/// AWS JSON 1.1 (KMS, and CloudTrail's LookupEvents): the operation from <c>X-Amz-Target</c>,
/// the body validated against the KMS API model and deserialised into the operation's request
/// type, responses and errors in JSON 1.1's shape. Buffers that held plaintext are zeroed.
/// </summary>
internal sealed class JsonApiCall(HttpContext http, SigV4Authenticator authenticator) : HttpApiCall(http, authenticator)
{
    private const string KmsTargetPrefix = "TrentService.";
    public const string CloudTrailTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

    private readonly string _target = http.Request.Headers["X-Amz-Target"].ToString();

    public override string? OperationName =>
        _target.StartsWith(KmsTargetPrefix, StringComparison.Ordinal) ? _target[KmsTargetPrefix.Length..]
        : _target == CloudTrailTarget ? "LookupEvents"
        : null;

    public override async ValueTask<Authenticated> AuthenticateAsync(CancellationToken cancellationToken)
    {
        var signer = await base.AuthenticateAsync(cancellationToken);

        // Only an authenticated body is worth repairing: lone surrogate escapes become U+FFFD, invalid UTF-8 is refused.
        SurrogateEscapes.PrepareBody(BodySpan);
        return signer;
    }

    public override Exception UnknownOperation(string service) => new KmsException(ErrorCode.UnknownOperation, null);

    public override object ReadRequest(OperationSpec spec)
    {
        using var document = Parse();
        var root = document.RootElement;
        if (spec.Service == "kms")
        {
            var input = KmsModel.OperationInputs[spec.Name];
            RequestValidator.Validate(input, root);
            RequestParameters = AuditRedaction.RequestParameters(input, root, spec.Secrets);
        }
        else if (root.ValueKind != JsonValueKind.Object)
        {
            throw new KmsException(RequestValidator.SerializationError, null);
        }

        object? request;
        try
        {
            request = root.Deserialize(KmsJson.TypeInfo(spec.RequestType));
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            // The model check passed, so this is a value it cannot see, such as invalid UTF-8 or a time out of range.
            throw new KmsException(RequestValidator.SerializationError, null);
        }

        if (spec.Service != "kms")
        {
            // Echoed only once it has parsed as its types, so the trail holds nothing else.
            RequestParameters = AuditRedaction.Utf8(AuditRedaction.KnownMembers(root, spec.RequestType.GetProperties().Select(p => p.Name), spec.Secrets));
        }

        return request ?? throw new KmsException(RequestValidator.SerializationError, null);
    }

    protected override WireResponse Encode(OperationSpec spec, object result)
    {
        try
        {
            if (result is LookupEventsResponse events)
            {
                return CloudTrailEvents.Write(events);
            }

            var typeInfo = KmsJson.TypeInfo(result.GetType());
            if (spec.LogsResponse)
            {
                ResponseElements = AuditRedaction.ResponseElements(JsonSerializer.SerializeToNode(result, typeInfo), spec.Secrets);
            }

            return Serialize(result, typeInfo);
        }
        finally
        {
            (result as ISensitiveResponse)?.ZeroSecrets();
        }
    }

    protected override WireResponse EncodeError(ErrorCode code, string? message) => AwsErrorResponse.Create(code, message);

    private JsonDocument Parse()
    {
        if (Body.IsEmpty)
        {
            return JsonDocument.Parse("{}");
        }

        try
        {
            return JsonDocument.Parse(Body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            throw new KmsException(RequestValidator.SerializationError, null);
        }
    }

    private static WireResponse Serialize(object result, JsonTypeInfo typeInfo)
    {
        // The scratch buffer is zeroed when handed back: only the returned copy of a secret remains, zeroed after sending.
        using var scratch = ScratchJson.Rent();
        JsonSerializer.Serialize(scratch.Writer, result, typeInfo);
        return new WireResponse(StatusCodes.Status200OK, AwsErrorResponse.ContentType, scratch.Written.ToArray(), Sensitive: result is ISensitiveResponse);
    }
}

/// <summary>
/// The JSON conventions of every request and response: source-generated metadata for the types in
/// <see cref="KmsJsonContext"/>, and the same conventions by reflection for a type not listed there
/// yet, so a new operation works before it is added to the context (which makes it faster).
/// </summary>
internal static class KmsJson
{
    private static readonly JsonSerializerOptions Options = new(KmsJsonContext.Default.Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(KmsJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static JsonTypeInfo TypeInfo(Type type) => Options.GetTypeInfo(type);
}
