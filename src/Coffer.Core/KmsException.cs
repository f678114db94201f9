using System.Diagnostics.CodeAnalysis;

namespace Coffer.Core;

/// <summary>
/// An error the caller caused or may act on, named as AWS names it; Protocol decides how each
/// wire spells it and which HTTP status it gets. Its message goes to the caller verbatim, so it
/// must never carry a secret.
/// </summary>
public sealed class KmsException(string code, string? message) : Exception(message ?? code)
{
    public string Code { get; } = code;

    /// <summary>The message for the caller; null for the errors AWS sends without one (InvalidCiphertextException, UnknownOperationException).</summary>
    public string? CallerMessage { get; } = message;
}

/// <summary>
/// The AWS error codes Coffer produces and throw helpers for the common ones, so that hot
/// methods stay small and every message has one spelling.
/// </summary>
public static class KmsErrors
{
    public const string NotFound = "NotFoundException";
    public const string Disabled = "DisabledException";
    public const string InvalidState = "KMSInvalidStateException";
    public const string InvalidCiphertext = "InvalidCiphertextException";
    public const string IncorrectKey = "IncorrectKeyException";
    public const string InvalidKeyUsage = "InvalidKeyUsageException";
    public const string InvalidArn = "InvalidArnException";
    public const string AlreadyExists = "AlreadyExistsException";
    public const string InvalidAliasName = "InvalidAliasNameException";
    public const string InvalidMarker = "InvalidMarkerException";
    public const string LimitExceeded = "LimitExceededException";
    public const string Tag = "TagException";
    public const string Validation = "ValidationException";
    public const string UnsupportedOperation = "UnsupportedOperationException";
    public const string Internal = "KMSInternalException";
    public const string AccessDenied = "AccessDeniedException";
    public const string DryRun = "DryRunOperationException";
    public const string MalformedPolicyDocument = "MalformedPolicyDocumentException";
    public const string InvalidGrantId = "InvalidGrantIdException";
    public const string InvalidGrantToken = "InvalidGrantTokenException";
    public const string ServiceUnavailable = "ServiceUnavailableException";

    [DoesNotReturn]
    public static void Throw(string code, string message) => throw new KmsException(code, message);

    [DoesNotReturn]
    public static void KeyNotFound(string arn) => Throw(NotFound, $"Key '{arn}' does not exist");

    [DoesNotReturn]
    public static void AliasNotFound(string aliasArn) => Throw(NotFound, $"Alias {aliasArn} is not found.");

    [DoesNotReturn]
    public static void KeyDisabled(string arn) => Throw(Disabled, $"{arn} is disabled.");

    [DoesNotReturn]
    public static void KeyPendingDeletion(string arn) => Throw(InvalidState, $"{arn} is pending deletion.");

    [DoesNotReturn]
    public static void BadCiphertext() => throw new KmsException(InvalidCiphertext, null);

    [DoesNotReturn]
    public static void DryRunSucceeded() => Throw(DryRun, "The request would have succeeded, but the DryRun option is set.");

    [DoesNotReturn]
    public static void ValidationFailed(string message) => Throw(Validation, message);
}
