using Coffer.Audit;
using Coffer.Crypto;
using Coffer.Policy;

namespace Coffer.Service.Pipeline;

/// <summary>Builds the CloudTrail-shaped event of a request, from what the pipeline learnt about it.</summary>
public static class RequestEvents
{
    /// <summary>The longest region name kept from an unauthenticated credential scope.</summary>
    public const int MaxRegionLength = 32;

    private const int MaxNameLength = 64;

    /// <summary>An operation or action name as given, when it looks like one (letters only, short); else null.</summary>
    public static string? Name(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(char.IsAsciiLetter) ? name : null;

    public static AuditEvent For(IApiCall call, OperationSpec? spec, RequestContext? context, (string Code, string? Message)? error, string requestId,
        DateTimeOffset time) => new()
    {
        EventId = RandomSource.Uuid().ToString("D"),
        EventTime = time,
        EventSource = $"{spec?.Service ?? call.FixedService ?? call.Claimed.Service ?? "kms"}.amazonaws.com",
        EventName = spec?.Name ?? Name(call.OperationName) ?? "Unknown",
        AwsRegion = context is { Region.Length: > 0 } ? context.Region : call.Claimed.Region is { Length: <= MaxRegionLength } claimed ? claimed : "us-east-1",
        UserIdentity = context is null || context.Principal.AccessKeyId.Length == 0
            ? new UserIdentity { Type = "Unknown", AccessKeyId = call.Claimed.AccessKeyId }
            : Identity(context),
        SourceIpAddress = call.SourceIp.Length > 0 ? call.SourceIp : null,
        UserAgent = call.UserAgent is { Length: > 0 } agent ? agent : null,
        RequestParameters = call.RequestParameters,
        ResponseElements = error is null && spec is { LogsResponse: true } ? call.ResponseElements : null,
        ErrorCode = error?.Code,
        ErrorMessage = error?.Message,
        RequestId = requestId,
        ReadOnly = spec?.ReadOnly ?? false,
        Resources = context?.Resources ?? [],
        RecipientAccountId = context is { AccountId.Length: > 0 } ? context.AccountId : null,
    };

    private static UserIdentity Identity(RequestContext context)
    {
        var caller = context.Caller;
        return caller.Kind switch
        {
            CallerKind.AssumedRole => new UserIdentity
            {
                Type = "AssumedRole",
                PrincipalId = caller.UserId,
                Arn = caller.Arn,
                AccountId = caller.AccountId,
                AccessKeyId = context.Principal.AccessKeyId,
                SessionIssuer = new SessionIssuer(caller.UserId.Split(':')[0], caller.RoleArn!, caller.AccountId, caller.RoleArn![(caller.RoleArn!.LastIndexOf('/') + 1)..]),
            },
            CallerKind.Account => new UserIdentity
            {
                Type = "Root", PrincipalId = caller.AccountId, Arn = caller.Arn, AccountId = caller.AccountId, AccessKeyId = context.Principal.AccessKeyId,
            },
            _ => new UserIdentity
            {
                Type = "IAMUser", PrincipalId = caller.UserId, Arn = caller.Arn, AccountId = caller.AccountId, AccessKeyId = context.Principal.AccessKeyId,
                UserName = caller.UserName,
            },
        };
    }
}
