using Coffer.Core;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol;

/// <summary>
/// The one place a domain error becomes what AWS sends: its name on each wire (AWS JSON 1.1's
/// <c>__type</c>, the Query protocol's <c>Code</c>) and its HTTP status.
/// </summary>
public static class WireErrors
{
    /// <summary>The <c>__type</c> AWS JSON 1.1 services (KMS, CloudTrail) send.</summary>
    public static string JsonName(ErrorCode code) => code switch
    {
        ErrorCode.InvalidState => "KMSInvalidStateException",
        ErrorCode.Internal => "KMSInternalException",
        ErrorCode.DryRun => "DryRunOperationException",
        ErrorCode.KmsInvalidSignature => "KMSInvalidSignatureException",
        ErrorCode.KmsInvalidMac => "KMSInvalidMacException",
        ErrorCode.NoSuchEntity or ErrorCode.EntityAlreadyExists or ErrorCode.DeleteConflict => code.ToString(),
        _ => $"{code}Exception",
    };

    public static int JsonStatus(ErrorCode code) => code switch
    {
        ErrorCode.Internal => StatusCodes.Status500InternalServerError,
        ErrorCode.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.DryRun => StatusCodes.Status412PreconditionFailed,
        ErrorCode.RequestEntityTooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The <c>Code</c> IAM and STS send in their XML errors.</summary>
    public static string QueryName(ErrorCode code) => code switch
    {
        ErrorCode.MissingAuthenticationToken => "MissingAuthenticationToken",
        ErrorCode.UnrecognizedClient => "InvalidClientTokenId",
        ErrorCode.InvalidSignature => "SignatureDoesNotMatch",
        ErrorCode.IncompleteSignature => "IncompleteSignature",
        ErrorCode.ExpiredToken => "ExpiredToken",
        ErrorCode.Internal => "ServiceFailure",
        ErrorCode.AccessDenied => "AccessDenied",
        ErrorCode.ServiceUnavailable => "ServiceUnavailable",
        ErrorCode.MalformedPolicyDocument => "MalformedPolicyDocument",
        ErrorCode.Validation => "ValidationError",
        ErrorCode.LimitExceeded => "LimitExceeded",
        ErrorCode.UnknownOperation => "InvalidAction",
        ErrorCode.NoSuchEntity or ErrorCode.EntityAlreadyExists or ErrorCode.DeleteConflict => code.ToString(),
        _ => JsonName(code),
    };

    public static int QueryStatus(ErrorCode code) => code switch
    {
        ErrorCode.NoSuchEntity => StatusCodes.Status404NotFound,
        ErrorCode.EntityAlreadyExists or ErrorCode.DeleteConflict or ErrorCode.LimitExceeded => StatusCodes.Status409Conflict,
        ErrorCode.AccessDenied or ErrorCode.UnrecognizedClient or ErrorCode.InvalidSignature or ErrorCode.MissingAuthenticationToken => StatusCodes.Status403Forbidden,
        ErrorCode.Internal => StatusCodes.Status500InternalServerError,
        ErrorCode.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.RequestEntityTooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status400BadRequest,
    };
}
