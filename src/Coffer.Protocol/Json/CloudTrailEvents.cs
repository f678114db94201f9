using System.Text.Json;
using Coffer.Service.Operations;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol.Json;

/// <summary>LookupEvents' answer in CloudTrail's JSON: each event with its CloudTrail record as a string, newest first.</summary>
internal static class CloudTrailEvents
{
    public static WireResponse Write(LookupEventsResponse page)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("Events");
            foreach (var e in page.Events)
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
                foreach (var arn in e.Resources)
                {
                    json.WriteStartObject();
                    json.WriteString("ResourceType", arn.Contains(":key/", StringComparison.Ordinal) ? "AWS::KMS::Key" : "AWS::IAM::Resource");
                    json.WriteString("ResourceName", arn);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteString("CloudTrailEvent", e.CloudTrailEvent);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (page.NextToken is not null)
            {
                json.WriteString("NextToken", page.NextToken);
            }

            json.WriteEndObject();
        }

        return new WireResponse(StatusCodes.Status200OK, AwsErrorResponse.ContentType, buffer.ToArray());
    }
}
