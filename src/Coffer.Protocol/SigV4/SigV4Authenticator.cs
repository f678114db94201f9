using System.Globalization;
using System.Text;
using Coffer.Crypto;
using Coffer.Service.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Coffer.Protocol.SigV4;

/// <summary>The regions a deployment answers for.</summary>
public interface IRegionPolicy
{
    bool Serves(string region);
}

/// <summary>
/// Verifies AWS Signature Version 4 on a request whose body has been read: parses the
/// Authorization header, checks the credential scope, the clock window and the signed headers,
/// rebuilds the canonical request and compares signatures in constant time. Every failure is the
/// error AWS gives for it, and none says more than AWS says.
/// </summary>
public sealed class SigV4Authenticator(AccessKeyDirectory directory, IRegionPolicy regions, TimeProvider clock)
{
    public const string Algorithm = CanonicalRequest.Algorithm;

    /// <summary>How far a request's time may be from the server's, either way.</summary>
    public static readonly TimeSpan ClockWindow = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Returns the caller and the region and service the request was signed for, or throws the
    /// AWS error. <paramref name="services"/> are the signing names served on this endpoint; the
    /// first is the one named in the error for any other.
    /// </summary>
    public ValueTask<(Principal Principal, string Region, string Service)> AuthenticateAsync(HttpRequest request, ReadOnlyMemory<byte> body,
        IReadOnlyList<string> services, CancellationToken cancellationToken) =>
        AuthenticateAsync(request, AuthorizationHeader.TryParse(request.Headers.Authorization.ToString()), body, services, cancellationToken);

    /// <summary>
    /// As the other overload, with the Authorization header already read by
    /// <see cref="AuthorizationHeader.TryParse"/> (so a pipeline that also wants the claimed
    /// credential for its audit event reads the header once). A failed parse throws its error here,
    /// at the point AWS reports it.
    /// </summary>
    public async ValueTask<(Principal Principal, string Region, string Service)> AuthenticateAsync(HttpRequest request, ParsedAuthorization authorization,
        ReadOnlyMemory<byte> body, IReadOnlyList<string> services, CancellationToken cancellationToken)
    {
        authorization.ThrowIfFailed();
        var header = authorization.Header;
        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (amzDate.Length == 0)
        {
            amzDate = request.Headers.Date.ToString();
        }

        if (amzDate.Length == 0)
        {
            AuthErrors.Throw(AuthErrors.Incomplete,
                $"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={header.Raw}");
        }

        if (!DateTimeOffset.TryParseExact(amzDate, CanonicalRequest.DateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            AuthErrors.Throw(AuthErrors.Incomplete, $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        CheckScope(header, amzDate, services);
        if (!header.SignedHeaders.Contains("host"))
        {
            AuthErrors.Throw(AuthErrors.InvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }

        RequireSignedAmzHeaders(request, header);
        CheckClock(signedAt);

        var token = request.Headers["X-Amz-Security-Token"].ToString();
        var (status, principal, secret) = await directory.FindAsync(header.AccessKeyId, token.Length == 0 ? null : token, cancellationToken);
        if (status == CredentialStatus.Expired)
        {
            AuthErrors.Throw(AuthErrors.ExpiredToken, "The security token included in the request is expired");
        }

        if (status != CredentialStatus.Valid || principal is null || secret is null)
        {
            AuthErrors.Unrecognized();
        }

        var stringToSign = StringToSign(request, header.SignedHeaders, SigV4Crypto.Sha256Hex(body.Span), amzDate, header.Scope);
        bool matches;
        try
        {
            matches = SigV4Crypto.SignatureMatches(secret, header.Date, header.Region, header.Service, stringToSign, header.Signature);
        }
        catch (ObjectDisposedException)
        {
            // The key was rotated or revoked while this request was being checked.
            matches = false;
        }

        if (!matches)
        {
            AuthErrors.Throw(AuthErrors.InvalidSignature, AuthErrors.SignatureMismatch);
        }

        return (principal, header.Region, header.Service);
    }

    /// <summary>The string to sign of a received request, from its raw request line (path and query as sent).</summary>
    internal static string StringToSign(HttpRequest request, IReadOnlyList<string> signedHeaders, string payloadHash, string amzDate, string scope)
    {
        var (path, query) = RawTarget(request);
        return CanonicalRequest.StringToSign(amzDate, scope, request.Method, path, query, signedHeaders, new ReceivedHeaders(request), payloadHash);
    }

    /// <summary>The canonical request of a received request, as text; for tests and benchmarks.</summary>
    internal static string CanonicalRequestOf(HttpRequest request, IReadOnlyList<string> signedHeaders, string payloadHash)
    {
        var (path, query) = RawTarget(request);
        return CanonicalRequest.Build(request.Method, path, query, signedHeaders, new ReceivedHeaders(request), payloadHash);
    }

    private static (string Path, string Query) RawTarget(HttpRequest request)
    {
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.PathBase + request.Path + request.QueryString).ToString();
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return queryStart < 0 ? (rawTarget, "") : (rawTarget[..queryStart], rawTarget[(queryStart + 1)..]);
    }

    /// <summary>
    /// Every <c>x-amz-*</c> header present must be signed, as SigV4 requires: otherwise a captured
    /// request could be replayed with another <c>X-Amz-Target</c>, that is, as another operation.
    /// <c>X-Amz-User-Agent</c> is the exception: the AWS SDK for JavaScript sends it and never signs it.
    /// </summary>
    private static void RequireSignedAmzHeaders(HttpRequest request, AuthorizationHeader header)
    {
        foreach (var name in request.Headers.Keys)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && !name.Equals("x-amz-user-agent", StringComparison.OrdinalIgnoreCase)
                && !IsSigned(header.SignedHeaders, name))
            {
                AuthErrors.Throw(AuthErrors.InvalidSignature, $"'{name}' must be a 'SignedHeader' in the AWS Authorization.");
            }
        }
    }

    private static bool IsSigned(IReadOnlyList<string> signedHeaders, string name)
    {
        foreach (var signed in signedHeaders)
        {
            if (signed.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void CheckScope(AuthorizationHeader header, string amzDate, IReadOnlyList<string> services)
    {
        // Built only for a request that has a problem: most have none.
        StringBuilder? problems = null;
        // IAM is global and always signed for us-east-1, whatever regions the deployment serves.
        if (!regions.Serves(header.Region) && !(header.Service == "iam" && header.Region == "us-east-1"))
        {
            (problems ??= new()).Append(CultureInfo.InvariantCulture, $"Credential should be scoped to a valid region, not '{header.Region}'. ");
        }

        if (!services.Contains(header.Service))
        {
            (problems ??= new()).Append(CultureInfo.InvariantCulture, $"Credential should be scoped to correct service: '{services[0]}'. ");
        }

        if (header.Terminator != "aws4_request")
        {
            (problems ??= new()).Append(CultureInfo.InvariantCulture, $"Credential should be scoped with a valid terminator: 'aws4_request', not '{header.Terminator}'. ");
        }

        if (!header.Date.AsSpan().SequenceEqual(amzDate.AsSpan(0, 8)))
        {
            (problems ??= new()).Append(CultureInfo.InvariantCulture,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{header.Date}' != '{amzDate[..8]}', from '{amzDate}'.");
        }

        if (problems is not null)
        {
            AuthErrors.Throw(AuthErrors.InvalidSignature, problems.ToString().TrimEnd());
        }
    }

    private void CheckClock(DateTimeOffset signedAt)
    {
        var now = clock.GetUtcNow();
        const string format = CanonicalRequest.DateFormat;
        var minutes = (int)ClockWindow.TotalMinutes;
        if (signedAt < now - ClockWindow)
        {
            AuthErrors.Throw(AuthErrors.InvalidSignature, string.Create(CultureInfo.InvariantCulture,
                $"Signature expired: {signedAt.ToString(format, CultureInfo.InvariantCulture)} is now earlier than {(now - ClockWindow).ToString(format, CultureInfo.InvariantCulture)} ({now.ToString(format, CultureInfo.InvariantCulture)} - {minutes} min.)"));
        }

        if (signedAt > now + ClockWindow)
        {
            AuthErrors.Throw(AuthErrors.InvalidSignature, string.Create(CultureInfo.InvariantCulture,
                $"Signature not yet current: {signedAt.ToString(format, CultureInfo.InvariantCulture)} is still later than {(now + ClockWindow).ToString(format, CultureInfo.InvariantCulture)} ({now.ToString(format, CultureInfo.InvariantCulture)} + {minutes} min.)"));
        }
    }

    /// <summary>Header values as the server received them; <c>host</c> is the request's authority.</summary>
    private readonly struct ReceivedHeaders(HttpRequest request) : ISignedHeaderSource
    {
        public StringValues ValuesOf(string signedName) => signedName == "host" ? (request.Host.Value ?? "") : request.Headers[signedName];
    }
}
