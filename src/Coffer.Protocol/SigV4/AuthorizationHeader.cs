using System.Text;

namespace Coffer.Protocol.SigV4;

/// <summary>
/// The parts of an <c>AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c> header,
/// with AWS's IncompleteSignatureException for each way it can be malformed.
/// </summary>
internal sealed class AuthorizationHeader
{
    public required string AccessKeyId { get; init; }
    public required string Date { get; init; }
    public required string Region { get; init; }
    public required string Service { get; init; }
    public required string Terminator { get; init; }
    public required IReadOnlyList<string> SignedHeaders { get; init; }
    public required string Signature { get; init; }

    public string Scope => $"{Date}/{Region}/{Service}/{Terminator}";

    public static AuthorizationHeader Parse(string raw)
    {
        var space = raw.IndexOf(' ', StringComparison.Ordinal);
        var algorithm = space < 0 ? raw : raw[..space];
        if (!algorithm.StartsWith("AWS4-", StringComparison.Ordinal))
        {
            AuthErrors.Missing();
        }

        if (algorithm != SigV4Authenticator.Algorithm)
        {
            AuthErrors.Throw(AuthErrors.Incomplete, $"Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). ");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in (space < 0 ? "" : raw[(space + 1)..]).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                AuthErrors.Throw(AuthErrors.Incomplete, $"'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{raw}'.");
            }

            parameters[part[..eq]] = part[(eq + 1)..];
        }

        var missing = new StringBuilder();
        foreach (var required in (string[])["Credential", "Signature", "SignedHeaders"])
        {
            if (!parameters.ContainsKey(required))
            {
                missing.Append("Authorization header requires '").Append(required).Append("' parameter. ");
            }
        }

        if (missing.Length > 0)
        {
            AuthErrors.Throw(AuthErrors.Incomplete, $"{missing}Authorization={raw}");
        }

        var credential = parameters["Credential"];
        var scope = credential.TrimEnd('/').Split('/');
        if (scope.Length != 5)
        {
            AuthErrors.Throw(AuthErrors.Incomplete,
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'");
        }

        return new AuthorizationHeader
        {
            AccessKeyId = scope[0],
            Date = scope[1],
            Region = scope[2],
            Service = scope[3],
            Terminator = scope[4],
            SignedHeaders = parameters["SignedHeaders"].Split(';'),
            Signature = parameters["Signature"],
        };
    }
}
