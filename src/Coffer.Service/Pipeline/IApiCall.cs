using System.Text.Json.Nodes;
using Coffer.Core;
using Coffer.Service.Identity;

namespace Coffer.Service.Pipeline;

/// <summary>Who signed a request, as the wire's authentication found it.</summary>
public sealed record Authenticated(Principal Principal, string Region, string Service);

/// <summary>What an event may say about a caller it could not authenticate: only text that has the shape it claims.</summary>
public sealed record ClaimedCaller(string? AccessKeyId, string? Region, string? Service);

/// <summary>
/// One request as a wire protocol sees it. The pipeline asks it, in order, to receive the
/// request, authenticate it, read the typed request for an operation, and encode the outcome;
/// the protocol turns bytes into these and these into bytes, and decides nothing.
/// </summary>
public interface IApiCall
{
    /// <summary>The id the response carries (<c>x-amzn-RequestId</c>) and the event records.</summary>
    string RequestId { get; }

    /// <summary>The service the request is for when the wire knows it before authentication (<c>coffer</c> for <c>/sys</c>); else null.</summary>
    string? FixedService { get; }

    /// <summary>The operation the request names, read once (X-Amz-Target, the Query Action, the <c>/sys</c> path); null when it names none.</summary>
    string? OperationName { get; }

    ClaimedCaller Claimed { get; }

    string SourceIp { get; }

    string? UserAgent { get; }

    bool SecureTransport { get; }

    /// <summary>Reads the body (bounded) and the operation name; a request past the limits throws the wire's error.</summary>
    ValueTask ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>SigV4: throws the AWS authentication error for anything but a valid signature of a known, active key.</summary>
    ValueTask<Authenticated> AuthenticateAsync(CancellationToken cancellationToken);

    /// <summary>The error for an operation the service does not have (UnknownOperationException, InvalidAction…).</summary>
    Exception UnknownOperation(string service);

    /// <summary>Parses and validates the body for <paramref name="spec"/> into its typed request.</summary>
    object ReadRequest(OperationSpec spec);

    /// <summary>The request's members minus the row's secrets, for the event, as a UTF-8 JSON object; null until read.</summary>
    byte[]? RequestParameters { get; }

    /// <summary>Encodes a result; secrets in it are zeroed once written.</summary>
    void Succeed(OperationSpec spec, object result);

    /// <summary>The response's members minus the row's secrets, when the row logs responses.</summary>
    JsonObject? ResponseElements { get; }

    /// <summary>Encodes an error in place of whatever was encoded before (which is zeroed); returns the code and message as the wire spells them.</summary>
    (string Code, string? Message) Fail(ErrorCode code, string? message);
}
