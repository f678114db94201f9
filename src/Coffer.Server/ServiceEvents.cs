using Coffer.Audit;
using Coffer.Core;

namespace Coffer.Server;

/// <summary>Audit events for what Coffer does by itself, shaped as CloudTrail logs KMS's own actions.</summary>
internal static class ServiceEvents
{
    public static AuditEvent KeyDeleted(KmsKey key, DateTimeOffset time) => new()
    {
        EventId = Guid.NewGuid().ToString("D"),
        EventTime = time,
        EventSource = "kms.amazonaws.com",
        EventName = "DeleteKey",
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
