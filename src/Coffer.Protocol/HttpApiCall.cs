using System.Text.Json.Nodes;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Protocol.SigV4;
using Coffer.Service.Identity;
using Coffer.Service.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol;

/// <summary>
/// What every wire shares about one HTTP request: its id, its transport facts, its body (read
/// once, bounded, into a pooled buffer that is zeroed), its SigV4 signature, and the response
/// encoded for it, written only once the pipeline has recorded the event.
/// </summary>
internal abstract class HttpApiCall(HttpContext http, SigV4Authenticator authenticator) : IApiCall, IDisposable
{
    /// <summary>The largest body accepted. KMS's biggest request (a 32 KiB policy) is far below it.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private static readonly string[] SignedServices = ["kms", "iam", "sts", "cloudtrail"];

    /// <summary>The signing services this wire accepts.</summary>
    protected virtual IReadOnlyList<string> Services => SignedServices;

    private PooledBody? _body;

    protected HttpContext Http => http;

    protected ReadOnlyMemory<byte> Body => _body?.Memory ?? ReadOnlyMemory<byte>.Empty;

    protected Span<byte> BodySpan => _body is null ? [] : _body.Span;

    public string RequestId { get; } = RandomSource.Uuid().ToString("D");

    public virtual string? FixedService => null;

    public abstract string? OperationName { get; }

    // The Authorization header, read once: its claimed credential names the caller of an event
    // even when authentication fails, and the authenticator checks the same parse.
    private readonly ParsedAuthorization _authorization = AuthorizationHeader.TryParse(http.Request.Headers.Authorization.ToString());

    public ClaimedCaller Claimed => Claim(_authorization.Claimed);

    public string SourceIp { get; } = http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "";

    public string? UserAgent => http.Request.Headers.UserAgent.ToString();

    public bool SecureTransport => http.Request.IsHttps;

    public byte[]? RequestParameters { get; protected set; }

    public JsonObject? ResponseElements { get; protected set; }

    /// <summary>The response to send; null until the pipeline has an outcome.</summary>
    public WireResponse? Response { get; private set; }

    public virtual async ValueTask ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!await TryReadBodyAsync(MaxBodyBytes, cancellationToken))
        {
            throw new KmsException(ErrorCode.RequestEntityTooLarge, $"Request body must be no larger than {MaxBodyBytes} bytes.");
        }
    }

    /// <summary>Reads the body into a pooled buffer zeroed on disposal; false when it is longer than <paramref name="limit"/>.</summary>
    protected async Task<bool> TryReadBodyAsync(int limit, CancellationToken cancellationToken)
    {
        try
        {
            _body = await BodyReader.ReadAsync(http.Request, limit, cancellationToken);
        }
        catch (BadHttpRequestException)
        {
            // Kestrel's own limit (a chunked body past the cap) or a client that sent too slowly.
            _body = null;
        }

        return _body is not null;
    }

    public virtual async ValueTask<Authenticated> AuthenticateAsync(CancellationToken cancellationToken)
    {
        var (principal, region, service) = await authenticator.AuthenticateAsync(http.Request, _authorization, Body, Services, cancellationToken);
        return new Authenticated(principal, region, service);
    }

    public abstract Exception UnknownOperation(string service);

    public abstract object ReadRequest(OperationSpec spec);

    public void Succeed(OperationSpec spec, object result) => Respond(Encode(spec, result));

    public (string Code, string? Message) Fail(ErrorCode code, string? message)
    {
        var response = EncodeError(code, message);
        Respond(response);
        return (response.ErrorCode!, response.ErrorMessage);
    }

    protected abstract WireResponse Encode(OperationSpec spec, object result);

    protected abstract WireResponse EncodeError(ErrorCode code, string? message);

    private void Respond(WireResponse response)
    {
        Response?.Zero();
        Response = response;
    }

    public async Task WriteAsync()
    {
        var response = Response ?? EncodeError(KmsErrors.Internal, "An internal error occurred. Retry the request.");
        try
        {
            http.Response.Headers["x-amzn-RequestId"] = RequestId;
            http.Response.StatusCode = response.Status;
            http.Response.ContentType = response.ContentType;
            http.Response.ContentLength = response.Body.Length;
            await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
        }
        finally
        {
            response.Zero();
        }
    }

    public void Dispose()
    {
        _body?.Dispose();
        Response?.Zero();
    }

    /// <summary>What an event can say about a request before (or without) authentication: only what has the shape it claims.</summary>
    private static ClaimedCaller Claim(ClaimedCredential? credential) =>
        // Unauthenticated text: kept only when it has the shape it claims, so no caller can make the trail store kilobytes per request.
        credential is null
            ? new ClaimedCaller(null, null, null)
            : new ClaimedCaller(AccessKeyDirectory.IsAccessKeyIdForm(credential.AccessKeyId) ? credential.AccessKeyId : null, credential.Region,
                RequestEvents.Name(credential.Service.Replace("-", "", StringComparison.Ordinal)) is null ? null : credential.Service);
}
