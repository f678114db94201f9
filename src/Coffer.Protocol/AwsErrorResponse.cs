using System.Text.Json;
using Coffer.Core;

namespace Coffer.Protocol;

/// <summary>
/// Errors in the AWS JSON 1.1 shape, <c>{"__type": "...", "message": "..."}</c>, with the HTTP
/// status AWS uses for each (see <see cref="WireErrors"/>).
/// </summary>
public static class AwsErrorResponse
{
    public const string ContentType = "application/x-amz-json-1.1";

    public static WireResponse Create(ErrorCode error, string? message)
    {
        var code = WireErrors.JsonName(error);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", code);
            if (message is not null)
            {
                // KMS spells it "Message" for these two codes and the Coral serializer errors.
                var property = error is ErrorCode.AccessDenied or ErrorCode.UnsupportedOperation or ErrorCode.Serialization ? "Message" : "message";
                writer.WriteString(property, message);
            }

            writer.WriteEndObject();
        }

        return new WireResponse(WireErrors.JsonStatus(error), ContentType, buffer.ToArray(), ErrorCode: code, ErrorMessage: message);
    }
}
