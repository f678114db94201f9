using System.Text.Json;
using Coffer.Core;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol;

/// <summary>
/// Errors in the AWS JSON 1.1 shape, <c>{"__type": "...", "message": "..."}</c>, with the HTTP
/// status AWS uses for each code. The one place JSON error codes become statuses.
/// </summary>
public static class AwsErrorResponse
{
    public const string ContentType = "application/x-amz-json-1.1";

    public static int StatusFor(string code) => code switch
    {
        KmsErrors.Internal or "KeyUnavailableException" => StatusCodes.Status500InternalServerError,
        "DependencyTimeoutException" or "ServiceUnavailableException" => StatusCodes.Status503ServiceUnavailable,
        KmsErrors.DryRun => StatusCodes.Status412PreconditionFailed,
        "RequestEntityTooLargeException" => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status400BadRequest,
    };

    public static WireResponse Create(string code, string? message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", code);
            if (message is not null)
            {
                // KMS spells it "Message" for these two codes and the Coral serializer errors.
                var property = code is KmsErrors.AccessDenied or KmsErrors.UnsupportedOperation or "SerializationException" ? "Message" : "message";
                writer.WriteString(property, message);
            }

            writer.WriteEndObject();
        }

        return new WireResponse(StatusFor(code), ContentType, buffer.ToArray(), ErrorCode: code, ErrorMessage: message);
    }
}
