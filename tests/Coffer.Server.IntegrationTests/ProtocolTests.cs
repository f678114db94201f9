using System.Security.Cryptography;
using System.Text;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>The AWS JSON 1.1 wire as a hand-made client sees it: what the SDKs never send.</summary>
public class ProtocolTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RawKmsClient Raw => fixture.Server.Raw();

    [Fact]
    public async Task A_success_is_AWS_JSON_with_a_request_id()
    {
        var response = await Raw.SendAsync("ListKeys", "{}");

        Assert.Equal(200, response.Status);
        Assert.Equal("application/x-amz-json-1.1", response.Message.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Message.Headers.GetValues("x-amzn-RequestId").Single(), out _));
        Assert.False(response.Json.GetProperty("Truncated").GetBoolean());
    }

    [Fact]
    public async Task An_empty_body_is_an_empty_request()
    {
        var response = await Raw.SendAsync("ListKeys", "");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task An_unknown_operation_is_UnknownOperationException_without_a_message()
    {
        var response = await Raw.SendAsync("MakeCoffee", "{}");

        Assert.Equal(400, response.Status);
        Assert.Equal("UnknownOperationException", response.Type);
        Assert.Null(response.ErrorMessage);
        Assert.Equal("UnknownOperationException", (await Raw.SendAsync(null, "{}")).Type);
    }

    [Fact]
    public async Task An_invalid_ciphertext_is_InvalidCiphertextException_without_a_message()
    {
        // AWS sends no message with it; an empty one would surface in the SDKs as an empty error text.
        var response = await Raw.SendAsync("Decrypt", $"{{\"CiphertextBlob\": \"{Convert.ToBase64String(new byte[80])}\"}}");

        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidCiphertextException", response.Type);
        Assert.Null(response.ErrorMessage);
        Assert.DoesNotContain("message", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Malformed_json_is_a_SerializationException()
    {
        var response = await Raw.SendAsync("DescribeKey", "{\"KeyId\": ");

        Assert.Equal(400, response.Status);
        Assert.Equal("SerializationException", response.Type);
    }

    [Theory]
    [InlineData("{\"KeyId\": 5}", "NUMBER_VALUE cannot be converted to String")]
    [InlineData("{\"KeyId\": true}", "TRUE_VALUE cannot be converted to String")]
    [InlineData("{\"KeyId\": {}}", "Start of structure or map found where not expected")]
    [InlineData("[]", "Start of structure or map found where not expected")]
    public async Task A_wrong_json_type_is_a_SerializationException_as_AWS_words_it(string body, string message)
    {
        var response = await Raw.SendAsync("DescribeKey", body);

        Assert.Equal(400, response.Status);
        Assert.Equal("SerializationException", response.Type);
        Assert.Equal(message, response.ErrorMessage);
    }

    [Fact]
    public async Task Invalid_base64_in_a_blob_is_a_SerializationException()
    {
        var response = await Raw.SendAsync("Decrypt", "{\"CiphertextBlob\": \"abc\"}");

        Assert.Equal("SerializationException", response.Type);
        Assert.Equal("Base64 encoded length is expected a multiple of 4 bytes but found: 3", response.ErrorMessage);
    }

    [Fact]
    public async Task A_missing_required_member_is_a_validation_error()
    {
        var response = await Raw.SendAsync("DescribeKey", "{}");

        Assert.Equal(400, response.Status);
        Assert.Equal("ValidationException", response.Type);
        Assert.Equal("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null", response.ErrorMessage);
    }

    [Fact]
    public async Task Several_violations_are_listed_in_one_validation_error()
    {
        var response = await Raw.SendAsync("Encrypt", "{\"KeyId\": \"\", \"Plaintext\": \"\"}");

        Assert.Equal("ValidationException", response.Type);
        Assert.Equal(
            "2 validation errors detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1; "
            + "Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
            response.ErrorMessage);
    }

    [Fact]
    public async Task Enum_and_range_violations_name_the_allowed_values()
    {
        var enumResponse = await Raw.SendAsync("GenerateDataKey", "{\"KeyId\": \"alias/x\", \"KeySpec\": \"AES_512\"}");
        var rangeResponse = await Raw.SendAsync("ListKeys", "{\"Limit\": 0}");

        Assert.Equal(
            "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
            enumResponse.ErrorMessage);
        Assert.Equal(
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
            rangeResponse.ErrorMessage);
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        var body = "{\"KeyId\": \"" + new string('a', 300 * 1024) + "\"}";

        var response = await Raw.SendAsync("DescribeKey", body);

        Assert.Equal(413, response.Status);
    }

    [Fact]
    public async Task Random_and_mutated_bodies_never_cause_a_server_error()
    {
        var seeds = new[]
        {
            "{\"KeyId\":\"alias/x\",\"Plaintext\":\"AAAA\",\"EncryptionContext\":{\"a\":\"b\"}}",
            "{\"CiphertextBlob\":\"AAAAAAAA\",\"GrantTokens\":[\"t\"]}",
            "{\"Tags\":[{\"TagKey\":\"a\",\"TagValue\":\"b\"}],\"Description\":\"d\"}",
            "{\"Limit\":5,\"Marker\":\"m\"}",
        };
        var operations = new[] { "Encrypt", "Decrypt", "CreateKey", "ListKeys", "ListAliases", "TagResource", "GenerateDataKey", "ReEncrypt", "ScheduleKeyDeletion" };
        var random = new Random(20261129);
        for (var i = 0; i < 300; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(seeds[random.Next(seeds.Length)]);
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            if (i % 10 == 0)
            {
                bytes = RandomNumberGenerator.GetBytes(random.Next(1, 64));
            }

            var response = await Raw.SendBytesAsync(operations[random.Next(operations.Length)], bytes);
            Assert.True(response.Status is 200 or 400, $"Body {Convert.ToBase64String(bytes)} gave HTTP {response.Status}: {response.Body}");
        }
    }
}
