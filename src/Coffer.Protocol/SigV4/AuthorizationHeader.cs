using System.Buffers;
using System.Diagnostics.CodeAnalysis;

using Coffer.Core;

namespace Coffer.Protocol.SigV4;

/// <summary>
/// The parts of a well-formed <c>AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c>
/// header. Nothing in it is authenticated until <see cref="SigV4Authenticator"/> says so. Immutable.
/// </summary>
public sealed class AuthorizationHeader
{
    private static readonly string[] Required = ["Credential", "Signature", "SignedHeaders"];

    /// <summary>The header as it came.</summary>
    public required string Raw { get; init; }

    public required string AccessKeyId { get; init; }
    public required string Date { get; init; }
    public required string Region { get; init; }
    public required string Service { get; init; }
    public required string Terminator { get; init; }
    public required IReadOnlyList<string> SignedHeaders { get; init; }
    public required string Signature { get; init; }

    public string Scope => $"{Date}/{Region}/{Service}/{Terminator}";

    /// <summary>The header's parts, or throws the IncompleteSignatureException (or missing-token error) AWS gives.</summary>
    public static AuthorizationHeader Parse(string raw)
    {
        var parsed = TryParse(raw);
        parsed.ThrowIfFailed();
        return parsed.Header;
    }

    /// <summary>
    /// Reads the header once, for everything that wants it: the authenticator (which gets the result,
    /// see <see cref="SigV4Authenticator.AuthenticateAsync(Microsoft.AspNetCore.Http.HttpRequest, ParsedAuthorization, ReadOnlyMemory{byte}, IReadOnlyList{string}, CancellationToken)"/>)
    /// and the audit trail (which wants the claimed credential even of a request that fails).
    /// Never throws. An empty header gives the missing-token error.
    /// </summary>
    public static ParsedAuthorization TryParse(string raw)
    {
        if (raw.Length == 0)
        {
            return ParsedAuthorization.Failed(AuthErrors.MissingToken, AuthErrors.MissingTokenMessage, null);
        }

        var space = raw.IndexOf(' ', StringComparison.Ordinal);
        var algorithm = space < 0 ? raw : raw[..space];
        var rest = space < 0 ? [] : raw.AsSpan(space + 1);

        // All parameters are read even after a fault, so the claimed credential reaches the audit
        // event whatever else is wrong; the fault reported is the first AWS would report.
        string? credential = null, signedHeaders = null, signature = null, pairError = null;
        foreach (var range in rest.Split(','))
        {
            var part = rest[range].Trim();
            if (part.IsEmpty)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            if (eq < 0)
            {
                pairError ??= $"'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{raw}'.";
                continue;
            }

            // A parameter given twice counts with its last value.
            switch (part[..eq])
            {
                case "Credential":
                    credential = part[(eq + 1)..].ToString();
                    break;
                case "SignedHeaders":
                    signedHeaders = part[(eq + 1)..].ToString();
                    break;
                case "Signature":
                    signature = part[(eq + 1)..].ToString();
                    break;
            }
        }

        var claimed = ClaimedCredential.From(credential);
        if (!algorithm.StartsWith("AWS4-", StringComparison.Ordinal))
        {
            return ParsedAuthorization.Failed(AuthErrors.MissingToken, AuthErrors.MissingTokenMessage, claimed);
        }

        if (algorithm != CanonicalRequest.Algorithm)
        {
            return ParsedAuthorization.Failed(AuthErrors.Incomplete, $"Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). ", claimed);
        }

        if (pairError is not null)
        {
            return ParsedAuthorization.Failed(AuthErrors.Incomplete, pairError, claimed);
        }

        if (credential is null || signature is null || signedHeaders is null)
        {
            string?[] present = [credential, signature, signedHeaders];
            var missing = "";
            for (var i = 0; i < Required.Length; i++)
            {
                missing += present[i] is null ? $"Authorization header requires '{Required[i]}' parameter. " : "";
            }

            return ParsedAuthorization.Failed(AuthErrors.Incomplete, $"{missing}Authorization={raw}", claimed);
        }

        var scope = credential.TrimEnd('/').Split('/');
        if (scope.Length != 5)
        {
            return ParsedAuthorization.Failed(AuthErrors.Incomplete,
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'", claimed);
        }

        return ParsedAuthorization.Succeeded(new AuthorizationHeader
        {
            Raw = raw,
            AccessKeyId = scope[0],
            Date = scope[1],
            Region = scope[2],
            Service = scope[3],
            Terminator = scope[4],
            SignedHeaders = signedHeaders.Split(';'),
            Signature = signature,
        }, claimed);
    }
}

/// <summary>
/// The outcome of <see cref="AuthorizationHeader.TryParse"/>: the header, or the AWS error a
/// malformed one earns; and in either case what its Credential claims. Immutable.
/// </summary>
public readonly struct ParsedAuthorization
{
    private ParsedAuthorization(AuthorizationHeader? header, ErrorCode? errorCode, string? errorMessage, ClaimedCredential? claimed)
    {
        Header = header;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Claimed = claimed;
    }

    /// <summary>The well-formed header; null when <see cref="ErrorCode"/> is set.</summary>
    public AuthorizationHeader? Header { get; }

    /// <summary>The AWS error code of a missing or malformed header.</summary>
    public ErrorCode? ErrorCode { get; }

    public string? ErrorMessage { get; }

    /// <summary>The access key id, region and service the header claims, unauthenticated; see <see cref="ClaimedCredential"/>.</summary>
    public ClaimedCredential? Claimed { get; }

    /// <summary>Throws the AWS error of a missing or malformed header as a <see cref="Coffer.Core.KmsException"/>.</summary>
    [MemberNotNull(nameof(Header))]
    public void ThrowIfFailed()
    {
        if (Header is null)
        {
            // default(ParsedAuthorization) reads as a request that sent no header.
            AuthErrors.Throw(ErrorCode ?? AuthErrors.MissingToken, ErrorMessage ?? AuthErrors.MissingTokenMessage);
        }
    }

    internal static ParsedAuthorization Succeeded(AuthorizationHeader header, ClaimedCredential? claimed) => new(header, null, null, claimed);

    internal static ParsedAuthorization Failed(ErrorCode code, string message, ClaimedCredential? claimed) => new(null, code, message, claimed);
}

/// <summary>
/// What a Credential parameter claims, before anything is checked: kept only when it has the shape
/// <c>key/date/region/service/…</c> with a key free of white space and a region and service of
/// lower-case letters, digits and hyphens, so an audit event can name it without storing arbitrary
/// caller text. Bounds on length are the audit trail's to apply.
/// </summary>
public sealed record ClaimedCredential(string AccessKeyId, string Region, string Service)
{
    private static readonly SearchValues<char> ScopeNameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    internal static ClaimedCredential? From(string? credential)
    {
        if (credential is null)
        {
            return null;
        }

        var parts = credential.Split('/');
        return parts.Length >= 5 && IsKey(parts[0]) && IsScopeName(parts[2]) && IsScopeName(parts[3])
            ? new ClaimedCredential(parts[0], parts[2], parts[3])
            : null;
    }

    private static bool IsKey(string value) => value.Length > 0 && !value.Any(char.IsWhiteSpace);

    private static bool IsScopeName(string value) => value.Length > 0 && !value.AsSpan().ContainsAnyExcept(ScopeNameChars);
}
