using System.Diagnostics.CodeAnalysis;
using Coffer.Core;

namespace Coffer.Service.Iam;

/// <summary>The IAM and STS errors Coffer raises; the Query wire spells them as IAM does.</summary>
public static class IamErrors
{
    public const ErrorCode NoSuchEntity = ErrorCode.NoSuchEntity;
    public const ErrorCode EntityAlreadyExists = ErrorCode.EntityAlreadyExists;
    public const ErrorCode DeleteConflict = ErrorCode.DeleteConflict;
    public const ErrorCode MalformedPolicyDocument = ErrorCode.MalformedPolicyDocument;
    public const ErrorCode Validation = ErrorCode.Validation;
    public const ErrorCode LimitExceeded = ErrorCode.LimitExceeded;
    public const ErrorCode AccessDenied = ErrorCode.AccessDenied;
    public const ErrorCode ExpiredToken = ErrorCode.ExpiredToken;

    [DoesNotReturn]
    public static void Throw(ErrorCode code, string message) => throw new KmsException(code, message);
}
