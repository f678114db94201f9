using Coffer.Audit;
using Coffer.Core;
using Coffer.Crypto;

namespace Coffer.Service.Keys;

/// <summary>
/// An event of something KMS did on its own (a scheduled deletion, an automatic rotation), shaped
/// as CloudTrail logs AWS's own service events: no caller, KMS as the invoker.
/// </summary>
public static class KmsServiceEvent
{
    public static AuditEvent For(KmsKey key, string eventName, DateTimeOffset time) => new()
    {
        EventId = RandomSource.Uuid().ToString("D"),
        EventTime = time,
        EventSource = "kms.amazonaws.com",
        EventName = eventName,
        AwsRegion = key.Region,
        UserIdentity = new UserIdentity { Type = "AWSService", AccountId = key.AccountId, InvokedBy = "kms.amazonaws.com" },
        ResponseElements = null,
        RequestParameters = null,
        ReadOnly = false,
        Resources = [key.Arn],
        EventType = "AwsServiceEvent",
        RecipientAccountId = key.AccountId,
        ErrorMessage = null,
    };
}
