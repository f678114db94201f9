using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Core;
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

    public async Task<WireResponse> HandleAsync(HttpContext http, RequestContext context, ReadOnlyMemory<byte> body, AuditCapture audit)
    {
        audit.EventSource = "cloudtrail.amazonaws.com";
        audit.EventName = "LookupEvents";
        audit.ReadOnly = true;
        if (http.Request.Headers["X-Amz-Target"].ToString() != Target)
        {
            return AwsErrorResponse.Create("UnknownOperationException", null);
        }

        JsonElement root;
        try
        {
            root = body.IsEmpty ? JsonDocument.Parse("{}").RootElement : JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return AwsErrorResponse.Create("SerializationException", null);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return AwsErrorResponse.Create("SerializationException", null);
        }

        audit.RequestParameters = JsonNode.Parse(root.GetRawText()) as JsonObject;
        await runtime.Authorizer.AuthorizeIdentityOnlyAsync(context, "cloudtrail:LookupEvents", "*", http.RequestAborted);
        var filter = Filter(root, context.AccountId);
        var page = await store.QueryAsync(filter, http.RequestAborted);
        var shown = page.Take(filter.Limit - 1).ToList();
        var next = page.Count == filter.Limit ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"coffer-v1:{shown[^1].Sequence}")) : null;
        return Respond(shown, next);
    }

    private static AuditFilter Filter(JsonElement root, string accountId)
    {
        var filter = new AuditFilter { AccountId = accountId, NewestFirst = true };
        if (root.TryGetProperty("LookupAttributes", out var attributes) && attributes.ValueKind == JsonValueKind.Array)
        {
            if (attributes.GetArrayLength() > 1)
            {
                KmsErrors.Throw(InvalidAttributes, "You cannot specify more than one lookup attribute.");
            }

            foreach (var attribute in attributes.EnumerateArray())
            {
                var key = attribute.TryGetProperty("AttributeKey", out var k) ? k.GetString() : null;
                var value = attribute.TryGetProperty("AttributeValue", out var v) ? v.GetString() : null;
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
        if (root.TryGetProperty("MaxResults", out var maxElement))
        {
            if (!maxElement.TryGetInt32(out max) || max is < 1 or > 50)
            {
                KmsErrors.Throw("InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
            }
        }

        long? before = null;
        if (root.TryGetProperty("NextToken", out var token) && token.GetString() is { Length: > 0 } text)
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

    private static DateTimeOffset? Time(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(value.GetDouble() * 1000))
            : null;

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
