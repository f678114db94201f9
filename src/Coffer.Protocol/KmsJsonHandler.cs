using System.Buffers;
using System.Text.Json;
using Coffer.Core;
using Coffer.Protocol.Json;
using Coffer.Service;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol;

/// <summary>
/// AWS JSON 1.1 for KMS on an authenticated request: find the operation from
/// <c>X-Amz-Target</c>, parse and validate the body against the model, dispatch, and build the
/// response (written by the endpoint once audited). Plaintext-bearing buffers are zeroed.
/// </summary>
public sealed class KmsJsonHandler(KmsDispatcher dispatcher) : IWireProtocol
{
    private const string TargetPrefix = "TrentService.";
    private static readonly HashSet<string> LoggedResponses = new(StringComparer.Ordinal) { "CreateKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "CreateGrant" };
    private static readonly HashSet<string> ReadOnlyCrypto = new(StringComparer.Ordinal)
    {
        "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateRandom",
    };

    /// <summary>The operation an <c>X-Amz-Target</c> names, for the audit event of any request.</summary>
    public static string? OperationName(HttpRequest request)
    {
        var target = request.Headers["X-Amz-Target"].ToString();
        return target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : null;
    }

    public static bool IsReadOnly(string operation) =>
        ReadOnlyCrypto.Contains(operation) || operation.StartsWith("Describe", StringComparison.Ordinal)
        || operation.StartsWith("List", StringComparison.Ordinal) || operation.StartsWith("Get", StringComparison.Ordinal);

    public async Task<WireResponse> HandleAsync(HttpContext http, RequestContext context, ReadOnlyMemory<byte> body, AuditCapture audit)
    {
        if (OperationName(http.Request) is not { } name || !dispatcher.TryGet(name, out var operation))
        {
            return AwsErrorResponse.Create("UnknownOperationException", null);
        }

        audit.EventName = name;
        audit.ReadOnly = IsReadOnly(name);
        object? response = null;
        try
        {
            using var document = ParseBody(body);
            RequestValidator.Validate(operation.Input, document.RootElement);
            audit.RequestParameters = AuditRedaction.RequestParameters(operation.Input, document.RootElement);
            response = await operation.Handle(context, document.RootElement, http.RequestAborted);
            var typeInfo = KmsJsonContext.Default.GetTypeInfo(response.GetType())!;
            if (LoggedResponses.Contains(name))
            {
                audit.ResponseElements = AuditRedaction.ResponseElements(JsonSerializer.SerializeToNode(response, typeInfo));
            }

            return Serialize(response, typeInfo);
        }
        finally
        {
            (response as ISensitiveResponse)?.ZeroSecrets();
        }
    }

    public WireResponse Error(string code, string? message, string requestId) => AwsErrorResponse.Create(code, message);

    private static JsonDocument ParseBody(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return JsonDocument.Parse("{}");
        }

        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            throw new KmsException(RequestValidator.SerializationError, null);
        }
    }

    private static WireResponse Serialize(object result, System.Text.Json.Serialization.Metadata.JsonTypeInfo typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, result, typeInfo);
        }

        var body = buffer.WrittenSpan.ToArray();
        if (result is ISensitiveResponse)
        {
            // The working buffer held the serialised secret too; only the returned copy remains, zeroed after sending.
            Crypto.SecretBytes.Zero(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer.WrittenMemory).Span);
        }

        return new WireResponse(StatusCodes.Status200OK, AwsErrorResponse.ContentType, body, Sensitive: result is ISensitiveResponse);
    }
}
