using Coffer.Core;
using Coffer.Protocol.SigV4;

namespace Coffer.Protocol.Tests;

public class AuthorizationHeaderTests
{
    private const string Valid =
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc";

    [Fact]
    public void A_well_formed_header_gives_its_parts_and_its_claimed_credential()
    {
        var parsed = AuthorizationHeader.TryParse(Valid);

        Assert.Null(parsed.ErrorCode);
        Assert.NotNull(parsed.Header);
        Assert.Equal("AKIAIOSFODNN7EXAMPLE", parsed.Header.AccessKeyId);
        Assert.Equal("20261201/us-east-1/kms/aws4_request", parsed.Header.Scope);
        Assert.Equal(["content-type", "host", "x-amz-date"], parsed.Header.SignedHeaders);
        Assert.Equal("abc", parsed.Header.Signature);
        Assert.Equal(Valid, parsed.Header.Raw);
        Assert.Equal(new ClaimedCredential("AKIAIOSFODNN7EXAMPLE", "us-east-1", "kms"), parsed.Claimed);
    }

    [Theory]
    [InlineData("", "MissingAuthenticationTokenException", "Request is missing Authentication Token")]
    [InlineData("Bearer x", "MissingAuthenticationTokenException", "Request is missing Authentication Token")]
    [InlineData("AWS4-HMAC-SHA512 Credential=a/b/c/d/e", "IncompleteSignatureException", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ")]
    [InlineData("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, junk, SignedHeaders=host, Signature=x",
        "IncompleteSignatureException", "'junk' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, junk, SignedHeaders=host, Signature=x'.")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host", "IncompleteSignatureException",
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 SignedHeaders=host")]
    [InlineData("AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=x", "IncompleteSignatureException",
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'")]
    public void A_malformed_header_gives_the_error_AWS_gives_and_Parse_throws_it(string raw, string code, string message)
    {
        var parsed = AuthorizationHeader.TryParse(raw);

        Assert.Null(parsed.Header);
        Assert.Equal(code, WireErrors.JsonName(parsed.ErrorCode!.Value));
        Assert.Equal(message, parsed.ErrorMessage);
        var thrown = Assert.Throws<KmsException>(() => AuthorizationHeader.Parse(raw));
        Assert.Equal(code, WireErrors.JsonName(thrown.Code));
        Assert.Equal(message, thrown.CallerMessage);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA1 Credential=AKIAIOSFODNN7EXAMPLE/20261201/eu-west-1/kms/aws4_request")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/eu-west-1/kms/aws4_request, junk")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/eu-west-1/kms/")]
    public void A_malformed_header_still_tells_the_audit_trail_which_credential_it_claims(string raw)
    {
        var parsed = AuthorizationHeader.TryParse(raw);

        Assert.NotNull(parsed.ErrorCode);
        Assert.Equal(new ClaimedCredential("AKIAIOSFODNN7EXAMPLE", "eu-west-1", "kms"), parsed.Claimed);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/EU-WEST-1/kms/aws4_request, SignedHeaders=host, Signature=x")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/eu-west-1/kms, SignedHeaders=host, Signature=x")]
    [InlineData("AWS4-HMAC-SHA256 Credential=/20261201/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=x")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=x")]
    public void A_credential_without_the_expected_shape_is_not_claimed(string raw) =>
        Assert.Null(AuthorizationHeader.TryParse(raw).Claimed);
}
