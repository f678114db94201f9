using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public class AuthenticationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RawKmsClient Raw => fixture.Server.Raw();

    [Fact]
    public async Task A_request_without_a_signature_gets_only_the_missing_token_error()
    {
        foreach (var operation in new[] { "ListKeys", "NoSuchOperation" })
        {
            var response = await Raw.SendAsync(operation, "{not json", o => o.Sign = false);

            Assert.Equal(400, response.Status);
            Assert.Equal("MissingAuthenticationTokenException", response.Type);
            Assert.Equal("Request is missing Authentication Token", response.ErrorMessage);
        }
    }

    [Fact]
    public async Task An_unknown_access_key_is_an_unrecognized_client()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => o.AccessKeyId = "AKIAUNKNOWNUNKNOWN00");

        Assert.Equal("UnrecognizedClientException", response.Type);
        Assert.Equal("The security token included in the request is invalid.", response.ErrorMessage);
    }

    [Fact]
    public async Task A_wrong_secret_is_an_invalid_signature()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => o.Secret = "wrong-secret");

        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidSignatureException", response.Type);
        Assert.StartsWith("The request signature we calculated does not match the signature you provided.", response.ErrorMessage);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_an_invalid_signature()
    {
        var response = await Raw.SendAsync("DescribeKey", "{\"KeyId\":\"alias/a\"}", o => o.BodyAfterSigning = "{\"KeyId\":\"alias/b\"}");

        Assert.Equal("InvalidSignatureException", response.Type);
    }

    [Fact]
    public async Task A_signature_older_than_fifteen_minutes_has_expired()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => o.Time = DateTimeOffset.UtcNow.AddMinutes(-16));

        Assert.Equal("InvalidSignatureException", response.Type);
        Assert.Matches(@"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$", response.ErrorMessage);
    }

    [Fact]
    public async Task A_signature_from_the_future_is_not_yet_current()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => o.Time = DateTimeOffset.UtcNow.AddMinutes(16));

        Assert.Equal("InvalidSignatureException", response.Type);
        Assert.StartsWith("Signature not yet current: ", response.ErrorMessage);
    }

    [Fact]
    public async Task A_signature_within_the_clock_window_is_accepted()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => o.Time = DateTimeOffset.UtcNow.AddMinutes(-10));

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task A_signature_for_another_service_is_refused()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => o.Service = "s3");

        Assert.Equal("InvalidSignatureException", response.Type);
        Assert.Equal("Credential should be scoped to correct service: 'kms'.", response.ErrorMessage);
    }

    [Fact]
    public async Task A_malformed_authorization_header_is_an_incomplete_signature()
    {
        const string header = "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261129/us-east-1/kms/aws4_request, SignedHeaders=host";

        var response = await Raw.SendAsync("ListKeys", "{}", o => { o.Sign = false; o.Authorization = header; });

        Assert.Equal("IncompleteSignatureException", response.Type);
        Assert.Equal($"Authorization header requires 'Signature' parameter. Authorization={header}", response.ErrorMessage);
    }

    [Fact]
    public async Task A_request_without_a_date_is_an_incomplete_signature()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => o.SendDate = false);

        Assert.Equal("IncompleteSignatureException", response.Type);
        Assert.StartsWith("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", response.ErrorMessage);
    }

    [Fact]
    public async Task Another_signing_algorithm_is_an_incomplete_signature()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => { o.Sign = false; o.Authorization = "AWS4-HMAC-SHA512 Credential=a/b/c/d/e"; });

        Assert.Equal("IncompleteSignatureException", response.Type);
        Assert.Equal("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now).", response.ErrorMessage?.TrimEnd());
    }

    [Fact]
    public async Task A_session_token_on_a_long_term_key_is_refused()
    {
        var response = await Raw.SendAsync("ListKeys", "{}", o => o.ExtraHeaders["X-Amz-Security-Token"] = "forged");

        Assert.Equal("UnrecognizedClientException", response.Type);
    }

    [Fact]
    public async Task The_SDK_with_a_wrong_secret_gets_the_AWS_error()
    {
        var kms = fixture.Server.Kms(secret: "definitely-not-the-secret");

        await Errors.ExpectAsync("InvalidSignatureException", () => kms.ListKeysAsync(new ListKeysRequest()));
    }

    [Fact]
    public async Task Health_answers_without_authentication_and_says_whether_sealed()
    {
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri(fixture.Server.Address, "/health"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"sealed\":false", body, StringComparison.Ordinal);
    }
}
