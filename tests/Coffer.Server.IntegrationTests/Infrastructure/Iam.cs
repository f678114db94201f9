using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace Coffer.Server.IntegrationTests.Infrastructure;

/// <summary>A user made through Coffer's IAM API, with its access key and an SDK client signing as it.</summary>
public sealed record TestUser(string Name, string Arn, string AccessKeyId, string SecretAccessKey, AmazonKeyManagementServiceClient Kms, RawKmsClient Raw);

/// <summary>IAM calls over the Query protocol, as the AWS CLI makes them (there is no AWS SDK for .NET IAM package on this registry).</summary>
public static class Iam
{
    public static async Task<RawResponse> CallAsync(RawKmsClient caller, string action, Dictionary<string, string> parameters, int expectedStatus = 200)
    {
        var response = await caller.QueryAsync("iam", action, parameters);
        Assert.True(response.Status == expectedStatus, $"iam {action} answered {response.Status}: {response.Body}");
        return response;
    }

    public static async Task<TestUser> CreateUserAsync(TestCoffer server, string name, string? policy = null)
    {
        var admin = server.Raw();
        var created = await CallAsync(admin, "CreateUser", new() { ["UserName"] = name });
        var key = await CallAsync(admin, "CreateAccessKey", new() { ["UserName"] = name });
        if (policy is not null)
        {
            await PutUserPolicyAsync(server, name, "inline", policy);
        }

        var id = key.Xml("AccessKeyId")!;
        var secret = key.Xml("SecretAccessKey")!;
        return new TestUser(name, created.Xml("Arn")!, id, secret, server.Kms(accessKeyId: id, secret: secret),
            new RawKmsClient(server.Address, id, secret, "us-east-1"));
    }

    public static Task<RawResponse> PutUserPolicyAsync(TestCoffer server, string user, string policyName, string document) =>
        CallAsync(server.Raw(), "PutUserPolicy", new() { ["UserName"] = user, ["PolicyName"] = policyName, ["PolicyDocument"] = document });

    /// <summary>A KMS client for temporary credentials.</summary>
    public static AmazonKeyManagementServiceClient Kms(TestCoffer server, string id, string secret, string token) =>
        new(new SessionAWSCredentials(id, secret, token), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = server.Address.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });
}
