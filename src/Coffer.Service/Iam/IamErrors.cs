using System.Diagnostics.CodeAnalysis;
using Coffer.Core;

namespace Coffer.Service.Iam;

/// <summary>The IAM and STS error codes Coffer produces, with IAM's wording.</summary>
public static class IamErrors
{
    public const string NoSuchEntity = "NoSuchEntity";
    public const string EntityAlreadyExists = "EntityAlreadyExists";
    public const string DeleteConflict = "DeleteConflict";
    public const string MalformedPolicyDocument = "MalformedPolicyDocument";
    public const string Validation = "ValidationError";
    public const string LimitExceeded = "LimitExceeded";
    public const string AccessDenied = "AccessDenied";
    public const string ExpiredToken = "ExpiredToken";

    [DoesNotReturn]
    public static void Throw(string code, string message) => throw new KmsException(code, message);
}
