using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// What load generators rely on (issue 12): a signed request may be sent again within its clock
/// window, as on AWS, and the dev server does not throttle.
/// </summary>
public class LoadGeneratorContractTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestCoffer Server => fixture.Server;

    [Fact]
    public async Task A_signed_request_sent_again_within_its_clock_window_is_served_again()
    {
        var keyId = (await Server.Kms().CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var signedAt = DateTimeOffset.UtcNow.AddMinutes(-2);
        var body = $$"""{"KeyId":"{{keyId}}","Plaintext":"AQID"}""";

        // The same time, body and headers: byte for byte the same request, the same signature.
        var first = await Server.Raw().SendAsync("Encrypt", body, o => o.Time = signedAt);
        var again = await Server.Raw().SendAsync("Encrypt", body, o => o.Time = signedAt);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, again.Status);
        Assert.Equal(first.Message.RequestMessage!.Headers.Authorization, again.Message.RequestMessage!.Headers.Authorization);
        Assert.NotEqual(first.Json.GetProperty("CiphertextBlob").GetString(), again.Json.GetProperty("CiphertextBlob").GetString());
    }

    [Fact]
    public async Task The_dev_server_answers_a_burst_from_many_connections_without_throttling()
    {
        var keyId = (await Server.Kms().CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var clients = Enumerable.Range(0, 32).Select(_ => Server.Kms()).ToList();

        var answers = await Task.WhenAll(clients.Select(async kms =>
        {
            var ok = 0;
            for (var i = 0; i < 25; i++)
            {
                var response = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 32 });
                ok += response.Plaintext.Length == 32 ? 1 : 0;
            }

            return ok;
        }));

        Assert.Equal(32 * 25, answers.Sum());
        foreach (var kms in clients)
        {
            kms.Dispose();
        }
    }
}
