using System.Diagnostics.CodeAnalysis;

namespace Coffer.Core;

/// <summary>
/// An error the caller caused or may act on, named as AWS names it; Protocol decides how each
/// wire spells it and which HTTP status it gets. Its message goes to the caller verbatim, so it
/// must never carry a secret.
/// </summary>
public sealed class KmsException(ErrorCode code, string? message) : Exception(message ?? code.ToString())
{
    public ErrorCode Code { get; } = code;

    /// <summary>The message for the caller; null for the errors AWS sends without one (InvalidCiphertextException, UnknownOperationException).</summary>
    public string? CallerMessage { get; } = message;
}

/// <summary>
/// Every error Coffer raises, as a domain fact. Protocol alone knows how each wire spells it
/// (KMS's <c>NotFoundException</c>, IAM's <c>NoSuchEntity</c>…) and which HTTP status it gets.
/// </summary>
public enum ErrorCode
{
    // KMS
    NotFound,
    Disabled,
    InvalidState,
    InvalidCiphertext,
    IncorrectKey,
    InvalidKeyUsage,
    InvalidArn,
    AlreadyExists,
    InvalidAliasName,
    InvalidMarker,
    LimitExceeded,
    Tag,
    Validation,
    UnsupportedOperation,
    Internal,
    AccessDenied,
    DryRun,
    MalformedPolicyDocument,
    InvalidGrantId,
    InvalidGrantToken,
    ServiceUnavailable,
    KmsInvalidSignature,
    KmsInvalidMac,
    Conflict,
    ExpiredImportToken,
    InvalidImportToken,
    IncorrectKeyMaterial,

    // Any service's front end
    UnknownOperation,
    Serialization,
    RequestEntityTooLarge,
    MissingAuthenticationToken,
    IncompleteSignature,
    InvalidSignature,
    UnrecognizedClient,
    ExpiredToken,

    // IAM
    NoSuchEntity,
    EntityAlreadyExists,
    DeleteConflict,

    // CloudTrail
    InvalidLookupAttributes,
    InvalidTimeRange,
    InvalidMaxResults,
    InvalidNextToken,

    // The operator's controls
    InvalidShare,
}

/// <summary>Throw helpers for the common errors, so that hot methods stay small and every message has one spelling.</summary>
public static class KmsErrors
{
    public const ErrorCode NotFound = ErrorCode.NotFound;
    public const ErrorCode Disabled = ErrorCode.Disabled;
    public const ErrorCode InvalidState = ErrorCode.InvalidState;
    public const ErrorCode InvalidCiphertext = ErrorCode.InvalidCiphertext;
    public const ErrorCode IncorrectKey = ErrorCode.IncorrectKey;
    public const ErrorCode InvalidKeyUsage = ErrorCode.InvalidKeyUsage;
    public const ErrorCode InvalidArn = ErrorCode.InvalidArn;
    public const ErrorCode AlreadyExists = ErrorCode.AlreadyExists;
    public const ErrorCode InvalidAliasName = ErrorCode.InvalidAliasName;
    public const ErrorCode InvalidMarker = ErrorCode.InvalidMarker;
    public const ErrorCode LimitExceeded = ErrorCode.LimitExceeded;
    public const ErrorCode Tag = ErrorCode.Tag;
    public const ErrorCode Validation = ErrorCode.Validation;
    public const ErrorCode UnsupportedOperation = ErrorCode.UnsupportedOperation;
    public const ErrorCode Internal = ErrorCode.Internal;
    public const ErrorCode AccessDenied = ErrorCode.AccessDenied;
    public const ErrorCode DryRun = ErrorCode.DryRun;
    public const ErrorCode MalformedPolicyDocument = ErrorCode.MalformedPolicyDocument;
    public const ErrorCode InvalidGrantId = ErrorCode.InvalidGrantId;
    public const ErrorCode InvalidGrantToken = ErrorCode.InvalidGrantToken;
    public const ErrorCode ServiceUnavailable = ErrorCode.ServiceUnavailable;

    [DoesNotReturn]
    public static void Throw(ErrorCode code, string message) => throw new KmsException(code, message);

    [DoesNotReturn]
    public static void KeyNotFound(string arn) => Throw(NotFound, $"Key '{arn}' does not exist");

    [DoesNotReturn]
    public static void AliasNotFound(string aliasArn) => Throw(NotFound, $"Alias {aliasArn} is not found.");

    [DoesNotReturn]
    public static void KeyDisabled(string arn) => Throw(Disabled, $"{arn} is disabled.");

    [DoesNotReturn]
    public static void KeyPendingDeletion(string arn) => Throw(InvalidState, $"{arn} is pending deletion.");

    [DoesNotReturn]
    public static void KeyPendingImport(string arn) => Throw(InvalidState, $"{arn} is pending import.");

    [DoesNotReturn]
    public static void BadCiphertext() => throw new KmsException(InvalidCiphertext, null);

    [DoesNotReturn]
    public static void DryRunSucceeded() => Throw(DryRun, "The request would have succeeded, but the DryRun option is set.");

    [DoesNotReturn]
    public static void ValidationFailed(string message) => Throw(Validation, message);
}
