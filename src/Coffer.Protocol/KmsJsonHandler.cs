using System.Buffers;
using System.Text.Json;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Protocol.Json;
using Coffer.Service;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol;

/// <summary>
/// AWS JSON 1.1 for KMS on an authenticated request: find the operation from
/// <c>X-Amz-Target</c>, parse and validate the body against the model, dispatch, respond.
/// Buffers that held plaintext are zeroed once the response is written.
/// </summary>
public sealed class KmsJsonHandler(KmsDispatcher dispatcher) : IWireProtocol
{
    private const string TargetPrefix = "TrentService.";

    public async Task HandleAsync(HttpContext http, RequestContext context, ReadOnlyMemory<byte> body)
    {
        var target = http.Request.Headers["X-Amz-Target"].ToString();
        if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal) || !dispatcher.TryGet(target[TargetPrefix.Length..], out var operation))
        {
            await AwsErrorResponse.WriteAsync(http.Response, "UnknownOperationException", null);
            return;
        }

        object? response = null;
        try
        {
            using var document = ParseBody(body);
            RequestValidator.Validate(operation.Input, document.RootElement);
            response = await operation.Handle(context, document.RootElement, http.RequestAborted);
            await WriteResponseAsync(http.Response, response);
        }
        finally
        {
            (response as ISensitiveResponse)?.ZeroSecrets();
        }
    }

    public Task WriteErrorAsync(HttpResponse response, string code, string? message, string requestId) => AwsErrorResponse.WriteAsync(response, code, message);

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

    private static async Task WriteResponseAsync(HttpResponse response, object result)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        try
        {
            await using (var writer = new Utf8JsonWriter(buffer))
            {
                JsonSerializer.Serialize(writer, result, KmsJsonContext.Default.GetTypeInfo(result.GetType())!);
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = AwsErrorResponse.ContentType;
            response.ContentLength = buffer.WrittenCount;
            await response.Body.WriteAsync(buffer.WrittenMemory);
        }
        finally
        {
            // The serialised form of a data key or plaintext is as secret as the bytes themselves.
            if (result is ISensitiveResponse)
            {
                SecretBytes.Zero(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer.WrittenMemory).Span);
            }
        }
    }
}
