using System.Buffers;
using System.Text.Json;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Protocol.Json;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Protocol;

/// <summary>
/// Serves AWS JSON 1.1 for KMS on <c>POST /</c>: read the body (bounded), authenticate (SigV4),
/// find the operation, parse and validate against the model, dispatch, respond. Authentication
/// comes before anything else looks at the request, so an unauthenticated caller learns nothing
/// but the authentication error. Nothing a client sends ends in anything but an AWS error.
/// </summary>
public sealed partial class KmsEndpoint(KmsDispatcher dispatcher, SigV4Authenticator authenticator, ILogger<KmsEndpoint> logger)
{
    /// <summary>The largest body accepted. KMS's biggest request (a 32 KiB policy) is far below it.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private const string TargetPrefix = "TrentService.";

    public async Task HandleAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString("D");
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        PooledBody? body;
        try
        {
            body = await BodyReader.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            // Kestrel's own limit (a chunked body past the cap) or a client that sent too slowly.
            body = null;
        }

        if (body is null)
        {
            await AwsErrorResponse.WriteAsync(http.Response, "RequestEntityTooLargeException", $"Request body must be no larger than {MaxBodyBytes} bytes.");
            return;
        }

        object? response = null;
        try
        {
            var (principal, region) = await authenticator.AuthenticateAsync(http.Request, body.Memory, "kms", http.RequestAborted);
            var target = http.Request.Headers["X-Amz-Target"].ToString();
            if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal) || !dispatcher.TryGet(target[TargetPrefix.Length..], out var operation))
            {
                await AwsErrorResponse.WriteAsync(http.Response, "UnknownOperationException", null);
                return;
            }

            using var document = ParseBody(body.Memory);
            RequestValidator.Validate(operation.Input, document.RootElement);
            var context = new RequestContext(principal.AccountId, region, principal.Arn, principal.AccessKeyId, requestId);
            response = await operation.Handle(context, document.RootElement, http.RequestAborted);
            await WriteResponseAsync(http.Response, response);
        }
        catch (KmsException error)
        {
            await AwsErrorResponse.WriteAsync(http.Response, error.Code, error.WireMessage);
        }
        catch (Exception error) when (error is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            LogInternalError(logger, error.GetType().Name, requestId, error);
            if (!http.Response.HasStarted)
            {
                await AwsErrorResponse.WriteAsync(http.Response, KmsErrors.Internal, "An internal error occurred. Retry the request.");
            }
        }
        finally
        {
            (response as ISensitiveResponse)?.ZeroSecrets();
            body.Dispose();
        }
    }

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

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Request {RequestId} failed with an internal error ({ErrorType})")]
    private static partial void LogInternalError(ILogger logger, string errorType, string requestId, Exception error);
}
