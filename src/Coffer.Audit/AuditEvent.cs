using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Crypto;

namespace Coffer.Audit;

/// <summary>
/// One audit event, shaped like a CloudTrail record. <see cref="RequestParameters"/> and
/// <see cref="ResponseElements"/> arrive already redacted: no plaintext, data key, private key,
/// secret or token is ever put into them.
/// </summary>
public sealed record AuditEvent
{
    public const string Version = "1.08";

    public required string EventId { get; init; }
    public required DateTimeOffset EventTime { get; init; }
    public required string EventSource { get; init; }
    public required string EventName { get; init; }
    public required string AwsRegion { get; init; }
    public required UserIdentity UserIdentity { get; init; }
    public string? SourceIpAddress { get; init; }
    public string? UserAgent { get; init; }
    /// <summary>The request's parameters as a UTF-8 JSON object, written into the event as they are.</summary>
    public byte[]? RequestParameters { get; init; }
    public JsonObject? ResponseElements { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public string? RequestId { get; init; }
    public bool ReadOnly { get; init; }
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary><c>AwsApiCall</c> for requests, <c>AwsServiceEvent</c> for what Coffer does by itself (key deletion).</summary>
    public string EventType { get; init; } = "AwsApiCall";

    public string? RecipientAccountId { get; init; }

    /// <summary>The canonical JSON text of the event: its UTF-8 bytes are what the hash chain covers.</summary>
    public string ToJson()
    {
        using var scratch = ScratchJson.Rent();
        Write(scratch.Writer);
        return Encoding.UTF8.GetString(scratch.Written);
    }

    /// <summary>
    /// The canonical JSON of the event both as the UTF-8 bytes the hash chain covers and as the text
    /// the store keeps, from one serialisation: the bytes are the writer's own, not the text encoded again.
    /// </summary>
    public (byte[] Utf8, string Text) Serialize()
    {
        using var scratch = ScratchJson.Rent();
        Write(scratch.Writer);
        var utf8 = scratch.Written.ToArray();
        return (utf8, Encoding.UTF8.GetString(utf8));
    }

    private void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("eventVersion", Version);
        json.WritePropertyName("userIdentity");
        UserIdentity.Write(json);
        Span<char> time = stackalloc char[20];
        EventTime.UtcDateTime.TryFormat(time, out var written, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        json.WriteString("eventTime", time[..written]);
        json.WriteString("eventSource", AuditText.Clean(EventSource));
        json.WriteString("eventName", AuditText.Clean(EventName));
        json.WriteString("awsRegion", AuditText.Clean(AwsRegion));
        WriteOptional(json, "sourceIPAddress", SourceIpAddress);
        WriteOptional(json, "userAgent", Truncated(UserAgent, MaxUserAgentLength));
        if (ErrorCode is not null)
        {
            json.WriteString("errorCode", AuditText.Clean(ErrorCode));
            WriteOptional(json, "errorMessage", Truncated(ErrorMessage, MaxErrorMessageLength));
        }

        json.WritePropertyName("requestParameters");
        if (RequestParameters is null)
        {
            json.WriteNullValue();
        }
        else
        {
            // Checked as it is copied: text that is not one JSON value fails this event, and so its request, rather than the trail.
            json.WriteRawValue(RequestParameters);
        }
        json.WritePropertyName("responseElements");
        WriteNode(json, ResponseElements);
        WriteOptional(json, "requestID", RequestId);
        json.WriteString("eventID", EventId);
        json.WriteBoolean("readOnly", ReadOnly);
        json.WriteStartArray("resources");
        foreach (var arn in Resources)
        {
            json.WriteStartObject();
            WriteOptional(json, "accountId", AccountOf(arn));
            json.WriteString("type", arn.Contains(":key/", StringComparison.Ordinal) ? "AWS::KMS::Key" : "AWS::IAM::Resource");
            json.WriteString("ARN", AuditText.Clean(arn));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("eventType", EventType);
        json.WriteBoolean("managementEvent", true);
        WriteOptional(json, "recipientAccountId", RecipientAccountId);
        json.WriteString("eventCategory", "Management");
        json.WriteEndObject();
    }

    /// <summary>Caps on text a caller controls (a header, a message echoing input), so no request can make its event large; CloudTrail truncates such values too.</summary>
    public const int MaxUserAgentLength = 1024;

    public const int MaxErrorMessageLength = 2048;

    private static string? Truncated(string? text, int max) =>
        text is null || text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "...(truncated)");

    /// <summary>The fifth field of <c>arn:partition:service:region:account:resource</c>, without splitting the whole ARN.</summary>
    private static string? AccountOf(string arn)
    {
        var start = 0;
        for (var field = 0; field < 4; field++)
        {
            var colon = arn.IndexOf(':', start);
            if (colon < 0)
            {
                return null;
            }

            start = colon + 1;
        }

        var end = arn.IndexOf(':', start);
        end = end < 0 ? arn.Length : end;
        return end > start ? arn[start..end] : null;
    }

    private static void WriteNode(Utf8JsonWriter json, JsonNode? node)
    {
        if (node is null)
        {
            json.WriteNullValue();
        }
        else
        {
            node.WriteTo(json);
        }
    }

    internal static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, AuditText.Clean(value));
        }
    }
}

/// <summary>CloudTrail's <c>userIdentity</c>: who made the call, as far as it is known.</summary>
public sealed record UserIdentity
{
    /// <summary><c>IAMUser</c>, <c>AssumedRole</c>, <c>Root</c>, <c>Unknown</c> (not authenticated) or <c>AWSService</c>.</summary>
    public required string Type { get; init; }
    public string? PrincipalId { get; init; }
    public string? Arn { get; init; }
    public string? AccountId { get; init; }
    public string? AccessKeyId { get; init; }
    public string? UserName { get; init; }
    public string? InvokedBy { get; init; }

    /// <summary>For assumed roles: the role that issued the session.</summary>
    public SessionIssuer? SessionIssuer { get; init; }

    internal void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type", AuditText.Clean(Type));
        AuditEvent.WriteOptional(json, "principalId", PrincipalId);
        AuditEvent.WriteOptional(json, "arn", Arn);
        AuditEvent.WriteOptional(json, "accountId", AccountId);
        AuditEvent.WriteOptional(json, "accessKeyId", AccessKeyId);
        AuditEvent.WriteOptional(json, "userName", UserName);
        AuditEvent.WriteOptional(json, "invokedBy", InvokedBy);
        if (SessionIssuer is { } issuer)
        {
            json.WriteStartObject("sessionContext");
            json.WriteStartObject("sessionIssuer");
            json.WriteString("type", "Role");
            AuditEvent.WriteOptional(json, "principalId", issuer.PrincipalId);
            AuditEvent.WriteOptional(json, "arn", issuer.Arn);
            AuditEvent.WriteOptional(json, "accountId", issuer.AccountId);
            AuditEvent.WriteOptional(json, "userName", issuer.UserName);
            json.WriteEndObject();
            json.WriteStartObject("attributes");
            json.WriteString("mfaAuthenticated", "false");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}

/// <summary>The role behind an assumed-role session.</summary>
public sealed record SessionIssuer(string PrincipalId, string Arn, string AccountId, string UserName);
