using Coffer.Service.Keys;

namespace Coffer.Service.Pipeline;

/// <summary>How the pipeline decides whether the caller may run an operation.</summary>
public enum Access
{
    /// <summary>The key the request names: key policy, IAM policies and grants (the operation's <see cref="OperationSpec.KeyIdForms"/> say how it is named).</summary>
    KeyPolicy,

    /// <summary>IAM policies alone, on the resource the operation names (<c>*</c> unless it says otherwise): CreateKey, ListKeys, GenerateRandom.</summary>
    Identity,

    /// <summary>The operation decides itself, in its <c>CheckAsync</c>, because its rule is not a policy evaluation (RetireGrant, AssumeRole, IAM actions on named principals).</summary>
    Operation,

    /// <summary>Only a principal of the operator account whose IAM policies allow the action (the <c>/sys</c> controls).</summary>
    Operator,

    /// <summary>Not SigV4-signed: the request carries its own credential (an unseal share).</summary>
    Unauthenticated,
}

/// <summary>Which key states an operation accepts, as AWS's key state table gives them.</summary>
public enum KeyStateRule
{
    /// <summary>Any state (DescribeKey, ListGrants, CancelKeyDeletion…).</summary>
    Any,

    /// <summary>Not PendingDeletion (EnableKey, TagResource, CreateAlias…).</summary>
    NotPendingDeletion,

    /// <summary>Enabled only: the cryptographic operations.</summary>
    Enabled,
}

/// <summary>
/// One row of the operation table: everything the pipeline needs to know about an operation
/// before running it. The operation's file holds what only it can say (its request checks, its
/// condition keys, its work).
/// </summary>
public sealed record OperationSpec
{
    /// <summary>The signing service: <c>kms</c>, <c>iam</c>, <c>sts</c>, <c>cloudtrail</c>, or <c>coffer</c> for the operator's <c>/sys</c> controls.</summary>
    public required string Service { get; init; }

    /// <summary>The operation's name on the wire and in its audit event.</summary>
    public required string Name { get; init; }

    /// <summary>The IAM action a policy must allow, such as <c>kms:Encrypt</c>.</summary>
    public required string Action { get; init; }

    public Access Access { get; init; } = Access.KeyPolicy;

    /// <summary>Which forms of KeyId the operation accepts; null when it names no key the pipeline resolves.</summary>
    public KeyIdForms? KeyIdForms { get; init; }

    /// <summary>The API reference's "Cross-account use": where it is No, another account's key is as invisible as a missing one.</summary>
    public CrossAccountUse CrossAccount { get; init; } = CrossAccountUse.No;

    public KeyStateRule KeyState { get; init; } = KeyStateRule.Any;

    /// <summary>Changes nothing: no probe write precedes it, and its event says <c>readOnly</c>.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Whether the response (minus <see cref="Secrets"/>) is kept as the event's <c>responseElements</c>, as CloudTrail keeps it for this operation.</summary>
    public bool LogsResponse { get; init; }

    /// <summary>Request and response members that never reach the audit trail. The one source of redaction; a test checks it covers every member the API model marks sensitive or binary.</summary>
    public IReadOnlySet<string> Secrets { get; init; } = EmptySecrets;

    /// <summary>Served while the server is sealed (unsealing itself).</summary>
    public bool ServesWhileSealed { get; init; }

    public required IOperation Operation { get; init; }

    public Type RequestType => Operation.RequestType;

    public Type ResponseType => Operation.ResponseType;

    private static readonly IReadOnlySet<string> EmptySecrets = new HashSet<string>();
}
