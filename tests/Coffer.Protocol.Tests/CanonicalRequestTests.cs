using System.Text;
using Coffer.Crypto;
using Coffer.Protocol.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Coffer.Protocol.Tests;

public class CanonicalRequestTests
{
    public static TheoryData<string> Vectors => new(SigV4TestSuite.All.Select(v => v.Name));

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Signing_an_AWS_test_suite_request_gives_the_published_canonical_request_string_to_sign_and_signature(string name)
    {
        var vector = Find(name);
        using var secret = Secret();

        var signed = SigV4RequestSigner.Sign(vector.Method, vector.Path, vector.Query, vector.Headers, PayloadHash(vector),
            SigV4Vector.AccessKeyId, secret, SigV4Vector.Region, SigV4Vector.Service, SigV4Vector.AmzDate);

        Assert.Equal(vector.CanonicalRequest, signed.CanonicalRequest);
        Assert.Equal(vector.StringToSign, signed.StringToSign);
        Assert.Equal(vector.Signature, signed.Signature);
        Assert.Equal(vector.Authorization, signed.Authorization);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_verifier_rebuilds_an_AWS_test_suite_request_as_received_and_accepts_its_published_signature(string name)
    {
        var vector = Find(name);
        using var secret = Secret();
        var request = Received(vector);
        var header = AuthorizationHeader.Parse(vector.Authorization);

        var stringToSign = SigV4Authenticator.StringToSign(request, header.SignedHeaders, PayloadHash(vector), SigV4Vector.AmzDate, header.Scope);

        Assert.Equal(vector.CanonicalRequest, SigV4Authenticator.CanonicalRequestOf(request, header.SignedHeaders, PayloadHash(vector)));
        Assert.Equal(vector.StringToSign, stringToSign);
        Assert.True(SigV4Crypto.SignatureMatches(secret, header.Date, header.Region, header.Service, stringToSign, header.Signature));
    }

    [Fact]
    public void The_verifier_keeps_the_signed_header_order_the_caller_gave()
    {
        var vector = Find("post-header-key-sort");
        var request = Received(vector);

        var canonical = SigV4Authenticator.CanonicalRequestOf(request, ["x-amz-date", "host", "my-header1"], PayloadHash(vector));

        Assert.Contains("\nx-amz-date:20150830T123600Z\nhost:example.amazonaws.com\nmy-header1:value1\n\nx-amz-date;host;my-header1\n", canonical, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_message_signed_for_Coffer_signs_its_target_and_content_type_and_verifies_as_received()
    {
        using var secret = Secret();
        var body = "{\"Limit\":1}"u8.ToArray();
        using var message = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:8080/");
        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        message.Headers.Add("X-Amz-Target", "TrentService.ListKeys");

        var signed = SigV4RequestSigner.Sign(message, body, "AKIAIOSFODNN7EXAMPLE", secret, "eu-west-1", "kms", "token", new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(2)));

        Assert.Equal("content-type;host;x-amz-date;x-amz-security-token;x-amz-target", signed.SignedHeaders);
        Assert.Equal("20261201T080000Z", message.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal(signed.Authorization, message.Headers.GetValues("Authorization").Single());
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = "/";
        http.Request.Host = new HostString("127.0.0.1:8080");
        http.Request.ContentType = "application/x-amz-json-1.1";
        foreach (var (name, values) in message.Headers)
        {
            http.Request.Headers[name] = values.ToArray();
        }

        var header = AuthorizationHeader.Parse(signed.Authorization);
        var stringToSign = SigV4Authenticator.StringToSign(http.Request, header.SignedHeaders, SigV4Crypto.Sha256Hex(body), "20261201T080000Z", header.Scope);
        Assert.Equal(signed.StringToSign, stringToSign);
        Assert.True(SigV4Crypto.SignatureMatches(secret, header.Date, header.Region, header.Service, stringToSign, header.Signature));
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("-_.~AZaz09", "-_.~AZaz09")]
    [InlineData("/+=&", "%2F%2B%3D%26")]
    [InlineData("\u00e9\u1234", "%C3%A9%E1%88%B4")]
    public void URI_encoding_leaves_only_the_unreserved_characters_and_encodes_UTF_8_in_upper_case_hex(string value, string encoded) =>
        Assert.Equal(encoded, CanonicalRequest.UriEncode(value));

    [Fact]
    public void A_lone_surrogate_is_encoded_as_the_replacement_character_as_UTF_8_does_everywhere() =>
        Assert.Equal("%EF%BF%BD", CanonicalRequest.UriEncode("\ud800"));

    private static SigV4Vector Find(string name) => SigV4TestSuite.All.Single(v => v.Name == name);

    private static SecretBytes Secret() => SecretBytes.CopyOf(Encoding.UTF8.GetBytes(SigV4Vector.Secret));

    private static string PayloadHash(SigV4Vector vector) => SigV4Crypto.Sha256Hex(Encoding.UTF8.GetBytes(vector.Body));

    /// <summary>The vector's request as the server sees it: the request line as sent, each header line appended.</summary>
    private static HttpRequest Received(SigV4Vector vector)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = vector.Method;
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = vector.Query.Length == 0 ? vector.Path : $"{vector.Path}?{vector.Query}";
        foreach (var (name, value) in vector.Headers)
        {
            http.Request.Headers.Append(name, value);
        }

        return http.Request;
    }
}
