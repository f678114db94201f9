using System.Globalization;
using System.Text;
using Coffer.Core;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class LookupAttribute
{
    public string? AttributeKey { get; init; }
    public string? AttributeValue { get; init; }
}

public sealed class LookupEventsRequest
{
    public List<LookupAttribute>? LookupAttributes { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public string? EventCategory { get; init; }

    /// <summary>A number on the wire; whether it is a whole number in range is this operation's check, with CloudTrail's error.</summary>
    public double? MaxResults { get; init; }

    public string? NextToken { get; init; }
}

public sealed record LookupEventsResponse(IReadOnlyList<TrailEvent> Events, string? NextToken);

/// <summary>One event as LookupEvents lists it: the columns it shows and the CloudTrail record itself.</summary>
public sealed record TrailEvent(string EventId, string EventName, bool ReadOnly, string? AccessKeyId, DateTimeOffset EventTime, string EventSource,
    string? UserName, IReadOnlyList<string> Resources, string CloudTrailEvent)
{
    public static TrailEvent From(AuditRecord record) => new(record.EventId, record.EventName, record.ReadOnly, record.AccessKeyId, record.EventTime,
        record.EventSource, record.UserName, record.Resources.Split(' ', StringSplitOptions.RemoveEmptyEntries), record.Json);
}

/// <summary>
/// CloudTrail's LookupEvents over Coffer's own trail, so that <c>aws cloudtrail lookup-events</c>
/// reads it unchanged: one lookup attribute, a time range, newest first, pages of at most 50
/// with NextToken. Callers see their own account's events, if their IAM policies allow
/// <c>cloudtrail:LookupEvents</c>.
/// </summary>
public sealed class LookupEvents(IAuditStore trail) : Operation<LookupEventsRequest, LookupEventsResponse>
{
    public const int MaxPage = 50;
    private const string TokenPrefix = "coffer-v1:";

    public override void Validate(LookupEventsRequest request) => Filter(request, "");

    public override async ValueTask<LookupEventsResponse> ExecuteAsync(OperationCall call, LookupEventsRequest request)
    {
        var filter = Filter(request, call.Context.AccountId);
        var page = await trail.QueryAsync(filter, call.CancellationToken);
        var shown = page.Take(filter.Limit - 1).ToList();
        var next = page.Count == filter.Limit ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TokenPrefix}{shown[^1].Sequence}")) : null;
        return new LookupEventsResponse(shown.Select(TrailEvent.From).ToList(), next);
    }

    private static AuditFilter Filter(LookupEventsRequest request, string accountId)
    {
        var filter = new AuditFilter { AccountId = accountId, NewestFirst = true };
        if (request.LookupAttributes is { } attributes)
        {
            if (attributes.Count > 1)
            {
                KmsErrors.Throw(ErrorCode.InvalidLookupAttributes, "You cannot specify more than one lookup attribute.");
            }

            foreach (var attribute in attributes)
            {
                var value = attribute.AttributeValue;
                if (string.IsNullOrEmpty(value))
                {
                    KmsErrors.Throw(ErrorCode.InvalidLookupAttributes, "AttributeValue must not be empty.");
                }

                filter = attribute.AttributeKey switch
                {
                    "EventName" => filter with { EventName = value },
                    "ResourceName" => filter with { Resource = value },
                    "Username" => filter with { UserName = value },
                    "AccessKeyId" => filter with { AccessKeyId = value },
                    "EventSource" => filter with { EventSource = value },
                    "ReadOnly" => filter with { ReadOnly = value.Equals("true", StringComparison.OrdinalIgnoreCase) },
                    _ => throw new KmsException(ErrorCode.InvalidLookupAttributes,
                        $"Lookup attribute {attribute.AttributeKey} is not supported here. Use EventName, ResourceName, Username, AccessKeyId, EventSource or ReadOnly."),
                };
            }
        }

        if (request.StartTime is { } start && request.EndTime is { } end && start > end)
        {
            KmsErrors.Throw(ErrorCode.InvalidTimeRange, "Start time must be before end time.");
        }

        var max = MaxPage;
        if (request.MaxResults is { } requested)
        {
            if (requested != Math.Floor(requested) || requested is < 1 or > MaxPage)
            {
                KmsErrors.Throw(ErrorCode.InvalidMaxResults, $"MaxResults must be between 1 and {MaxPage}.");
            }

            max = (int)requested;
        }

        long? before = null;
        if (request.NextToken is { Length: > 0 } token)
        {
            before = ReadToken(token) ?? throw new KmsException(ErrorCode.InvalidNextToken, "Invalid NextToken.");
        }

        // One more than asked: its presence says whether there is a next page.
        return filter with { Start = request.StartTime, End = request.EndTime, Limit = max + 1, BeforeSequence = before };
    }

    private static long? ReadToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith(TokenPrefix, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(TokenPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                ? sequence
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
