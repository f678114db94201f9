using System.Globalization;
using System.Text;
using System.Text.Json;
using Coffer.Core;
using Coffer.Protocol.Json;
using Coffer.Service;
using Coffer.Storage;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol;

/// <summary>
/// CloudTrail's LookupEvents over AWS JSON 1.1 (signing name <c>cloudtrail</c>), so that
/// <c>aws cloudtrail lookup-events</c> reads Coffer's trail unchanged: one lookup attribute,
/// a time range, newest first, pages of at most 50 with NextToken. Callers see their own
/// account's events, if their IAM policies allow <c>cloudtrail:LookupEvents</c>.
/// </summary>
public sealed class CloudTrailHandler(IAuditStore store, KmsRuntime runtime)
{
    private const string Target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    private const string InvalidAttributes = "InvalidLookupAttributesException";
    private static readonly string[] EchoedMembers = ["LookupAttributes", "StartTime", "EndTime", "EventCategory", "MaxResults", "NextToken"];

    public async Task<WireResponse> HandleAsync(HttpContext http, RequestContext context, ReadOnlyMemory<byte> body, AuditCapture audit)
    {
        audit.EventSource = "cloudtrail.amazonaws.com";
        audit.EventName = "LookupEvents";
        audit.ReadOnly = true;
        if (http.Request.Headers["X-Amz-Target"].ToString() != Target)
        {
            return AwsErrorResponse.Create("UnknownOperationException", null);
        }

        using var document = Parse(body);
        var root = document.RootElement;

        // Validated before it is echoed or authorized: the event then holds only well-typed input.
        var filter = Filter(root, context.AccountId);
        audit.RequestParameters = AuditRedaction.KnownMembers(root, EchoedMembers);
        await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, "cloudtrail:LookupEvents", "*", http.RequestAborted);
        var page = await store.QueryAsync(filter, http.RequestAborted);
        var shown = page.Take(filter.Limit - 1).ToList();
        var next = page.Count == filter.Limit ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"coffer-v1:{shown[^1].Sequence}")) : null;
        return Respond(shown, next);
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument? document = null;
        try
        {
            document = body.IsEmpty ? JsonDocument.Parse("{}") : JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
        }

        if (document?.RootElement.ValueKind != JsonValueKind.Object)
        {
            document?.Dispose();
            throw new KmsException(RequestValidator.SerializationError, null);
        }

        return document!;
    }

    private static AuditFilter Filter(JsonElement root, string accountId)
    {
        var filter = new AuditFilter { AccountId = accountId, NewestFirst = true };
        if (Member(root, "LookupAttributes", JsonValueKind.Array) is { } attributes)
        {
            if (attributes.GetArrayLength() > 1)
            {
                KmsErrors.Throw(InvalidAttributes, "You cannot specify more than one lookup attribute.");
            }

            foreach (var attribute in attributes.EnumerateArray())
            {
                if (attribute.ValueKind != JsonValueKind.Object)
                {
                    throw new KmsException(RequestValidator.SerializationError, null);
                }

                var key = Member(attribute, "AttributeKey", JsonValueKind.String)?.GetString();
                var value = Member(attribute, "AttributeValue", JsonValueKind.String)?.GetString();
                if (string.IsNullOrEmpty(value))
                {
                    KmsErrors.Throw(InvalidAttributes, "AttributeValue must not be empty.");
                }

                filter = key switch
                {
                    "EventName" => filter with { EventName = value },
                    "ResourceName" => filter with { Resource = value },
                    "Username" => filter with { UserName = value },
                    "AccessKeyId" => filter with { AccessKeyId = value },
                    "EventSource" => filter with { EventSource = value },
                    "ReadOnly" => filter with { ReadOnly = value.Equals("true", StringComparison.OrdinalIgnoreCase) },
                    _ => throw new KmsException(InvalidAttributes,
                        $"Lookup attribute {key} is not supported here. Use EventName, ResourceName, Username, AccessKeyId, EventSource or ReadOnly."),
                };
            }
        }

        var start = Time(root, "StartTime");
        var end = Time(root, "EndTime");
        if (start is not null && end is not null && start > end)
        {
            KmsErrors.Throw("InvalidTimeRangeException", "Start time must be before end time.");
        }

        var max = 50;
        if (Member(root, "MaxResults", JsonValueKind.Number) is { } maxElement)
        {
            if (!maxElement.TryGetInt32(out max) || max is < 1 or > 50)
            {
                KmsErrors.Throw("InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
            }
        }

        long? before = null;
        if (Member(root, "NextToken", JsonValueKind.String)?.GetString() is { Length: > 0 } text)
        {
            before = ReadToken(text) ?? throw new KmsException("InvalidNextTokenException", "Invalid NextToken.");
        }

        // One more than asked: its presence says whether there is a next page.
        return filter with { Start = start, End = end, Limit = max + 1, BeforeSequence = before };
    }

    private static long? ReadToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("coffer-v1:", StringComparison.Ordinal) && long.TryParse(text.AsSpan(10), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                ? sequence
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A member of the expected JSON type, null when absent or null; any other type is AWS's SerializationException.</summary>
    private static JsonElement? Member(JsonElement parent, string name, JsonValueKind kind)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != kind)
        {
            throw new KmsException(RequestValidator.SerializationError, null);
        }

        return value;
    }

    /// <summary>An epoch-seconds timestamp; one outside the years 1 to 9999 cannot be a time and is refused as AWS refuses it.</summary>
    private static DateTimeOffset? Time(JsonElement root, string name)
    {
        if (Member(root, name, JsonValueKind.Number) is not { } value)
        {
            return null;
        }

        var seconds = value.GetDouble();
        if (!double.IsFinite(seconds) || seconds < MinEpochSeconds || seconds > MaxEpochSeconds)
        {
            throw new KmsException(RequestValidator.SerializationError, null);
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
    }

    private static readonly double MinEpochSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly double MaxEpochSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private static WireResponse Respond(IReadOnlyList<AuditRecord> events, string? next)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("Events");
            foreach (var e in events)
            {
                json.WriteStartObject();
                json.WriteString("EventId", e.EventId);
                json.WriteString("EventName", e.EventName);
                json.WriteString("ReadOnly", e.ReadOnly ? "true" : "false");
                if (e.AccessKeyId is not null)
                {
                    json.WriteString("AccessKeyId", e.AccessKeyId);
                }

                json.WriteNumber("EventTime", e.EventTime.ToUnixTimeMilliseconds() / 1000.0);
                json.WriteString("EventSource", e.EventSource);
                if (e.UserName is not null)
                {
                    json.WriteString("Username", e.UserName);
                }

                json.WriteStartArray("Resources");
                foreach (var arn in e.Resources.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    json.WriteStartObject();
                    json.WriteString("ResourceType", arn.Contains(":key/", StringComparison.Ordinal) ? "AWS::KMS::Key" : "AWS::IAM::Resource");
                    json.WriteString("ResourceName", arn);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteString("CloudTrailEvent", e.Json);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (next is not null)
            {
                json.WriteString("NextToken", next);
            }

            json.WriteEndObject();
        }

        return new WireResponse(StatusCodes.Status200OK, AwsErrorResponse.ContentType, buffer.ToArray());
    }
}
