using System.Diagnostics.CodeAnalysis;
using Coffer.Core;

namespace Coffer.Protocol.SigV4;

/// <summary>The authentication errors of AWS's front end, with their exact wording.</summary>
internal static class AuthErrors
{
    public const ErrorCode MissingToken = ErrorCode.MissingAuthenticationToken;
    public const ErrorCode Incomplete = ErrorCode.IncompleteSignature;
    public const ErrorCode InvalidSignature = ErrorCode.InvalidSignature;
    public const ErrorCode UnrecognizedClient = ErrorCode.UnrecognizedClient;
    public const ErrorCode ExpiredToken = ErrorCode.ExpiredToken;

    public const string MissingTokenMessage = "Request is missing Authentication Token";

    public const string SignatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    [DoesNotReturn]
    public static void Throw(ErrorCode code, string message) => throw new KmsException(code, message);

    [DoesNotReturn]
    public static void Missing() => Throw(MissingToken, MissingTokenMessage);

    [DoesNotReturn]
    public static void Unrecognized() => Throw(UnrecognizedClient, "The security token included in the request is invalid.");
}
