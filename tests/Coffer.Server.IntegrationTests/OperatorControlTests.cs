using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Coffer.Crypto;
using Coffer.Protocol.SigV4;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>The operator's /sys controls go through the one pipeline: audited and answered like every other request.</summary>
public sealed class OperatorControlTests
{
    private static string Trust(string principal) =>
        $$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{{principal}}}"},"Action":"sts:AssumeRole"}]}""";

    [Fact]
    public async Task A_seal_by_an_assumed_role_is_recorded_with_that_role_as_the_caller()
    {
        await using var server = await TestCoffer.StartAsync();
        await Iam.CallAsync(server.Raw(), "CreateRole", new() { ["RoleName"] = "operator", ["AssumeRolePolicyDocument"] = Trust($"arn:aws:iam::{server.AccountId}:root") });
        await Iam.CallAsync(server.Raw(), "PutRolePolicy", new()
        {
            ["RoleName"] = "operator", ["PolicyName"] = "seal",
            ["PolicyDocument"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"coffer:Seal","Resource":"*"}]}""",
        });
        using var sts = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(server.AccessKeyId, server.SecretAccessKey),
            new AmazonSecurityTokenServiceConfig { ServiceURL = server.Address.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        var session = (await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = $"arn:aws:iam::{server.AccountId}:role/operator", RoleSessionName = "night-shift",
        })).Credentials;

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Address, "/sys/seal")) { Content = new ByteArrayContent([]) };
        using var secret = SecretBytes.CopyOf(System.Text.Encoding.UTF8.GetBytes(session.SecretAccessKey));
        SigV4RequestSigner.Sign(request, [], session.AccessKeyId, secret, "us-east-1", "kms", session.SessionToken, DateTimeOffset.UtcNow);
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(status.RootElement.GetProperty("sealed").GetBoolean());
        var events = await server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { Limit = 1000 });
        using var seal = JsonDocument.Parse(events.Last(e => e.EventName == "Seal").Json);
        var root = seal.RootElement;
        Assert.Equal("coffer.amazonaws.com", root.GetProperty("eventSource").GetString());
        Assert.Equal("AssumedRole", root.GetProperty("userIdentity").GetProperty("type").GetString());
        Assert.Equal($"arn:aws:sts::{server.AccountId}:assumed-role/operator/night-shift", root.GetProperty("userIdentity").GetProperty("arn").GetString());
        Assert.Equal(session.AccessKeyId, root.GetProperty("userIdentity").GetProperty("accessKeyId").GetString());
        Assert.Equal("127.0.0.1", root.GetProperty("sourceIPAddress").GetString());
        Assert.False(root.TryGetProperty("errorCode", out _));
    }

    [Fact]
    public async Task An_unseal_share_is_recorded_as_an_unauthenticated_call_without_the_share()
    {
        await using var server = await TestCoffer.StartAsync();
        using var http = new HttpClient();
        const string share = "coffer-share-v1:bm90LWEtcmVhbC1zaGFyZQ";

        var response = await http.PostAsync(new Uri(server.Address, "/sys/unseal"),
            new StringContent($$"""{"share":"{{share}}"}""", System.Text.Encoding.UTF8, "application/json"));

        // A dev server is unsealed already, so the share changes nothing; the call is still recorded.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { Limit = 1000 });
        var unseal = events.Last(e => e.EventName == "Unseal");
        Assert.DoesNotContain("bm90LWEtcmVhbC1zaGFyZQ", unseal.Json, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(unseal.Json);
        Assert.Equal("Unknown", json.RootElement.GetProperty("userIdentity").GetProperty("type").GetString());
        Assert.Empty(json.RootElement.GetProperty("requestParameters").EnumerateObject());
    }
}
