using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using CsCheck;
using Tag = Amazon.KeyManagementService.Model.Tag;

namespace Coffer.Fuzz.Tests;

/// <summary>
/// Fuzzes a real server over HTTP. The corpus is what the AWS SDK for .NET itself sends for every
/// operation Coffer serves, captured on the wire; each request is then mutated (body, operation,
/// Authorization header, date), signed again so it reaches the parsers behind authentication, and
/// sent. Any answer but a 5xx is fine; a 500, an exception or a hang fails the test, and the
/// server must still answer afterwards.
/// </summary>
public sealed class WireFuzzTests : IAsyncLifetime
{
    private const string LookupEventsTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    private TestCoffer _server = null!;

    public async Task InitializeAsync() => _server = await TestCoffer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private sealed record Seed(string Service, string? Target, byte[] Body);

    /// <summary>Records the target and body of every request an SDK client sends.</summary>
    private sealed class RecordingFactory(ConcurrentQueue<Seed> seen, string service) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Recorder(seen, service) { InnerHandler = new HttpClientHandler() });

        private sealed class Recorder(ConcurrentQueue<Seed> seen, string service) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
                var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : null;
                seen.Enqueue(new Seed(service, target, body));
                return await base.SendAsync(request, cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<Seed>> CaptureCorpusAsync()
    {
        var seen = new ConcurrentQueue<Seed>();
        var credentials = new BasicAWSCredentials(_server.AccessKeyId, _server.SecretAccessKey);
        using var kms = new AmazonKeyManagementServiceClient(credentials, new AmazonKeyManagementServiceConfig
        {
            ServiceURL = _server.Address.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, HttpClientFactory = new RecordingFactory(seen, "kms"),
        });
        using var sts = new AmazonSecurityTokenServiceClient(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = _server.Address.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, HttpClientFactory = new RecordingFactory(seen, "sts"),
        });

        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "fuzz", Tags = [new Tag { TagKey = "t", TagValue = "v" }] })).KeyMetadata.KeyId;
        var context = new Dictionary<string, string> { ["purpose"] = "fuzz" };
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1, 2, 3]), EncryptionContext = context })).CiphertextBlob;
        await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, EncryptionContext = context, KeyId = key });
        await kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = blob, SourceEncryptionContext = context, DestinationKeyId = key });
        await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256, EncryptionContext = context });
        await kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key, NumberOfBytes = 32 });
        await kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 16 });
        await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key });
        await kms.ListKeysAsync(new ListKeysRequest { Limit = 5 });
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/fuzz", TargetKeyId = key });
        await kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/fuzz", TargetKeyId = key });
        await kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key, Limit = 10 });
        await kms.TagResourceAsync(new TagResourceRequest { KeyId = key, Tags = [new Tag { TagKey = "a", TagValue = "b" }] });
        await kms.UntagResourceAsync(new UntagResourceRequest { KeyId = key, TagKeys = ["a"] });
        await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key });
        var policy = (await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key })).Policy;
        await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key, Policy = policy });
        await kms.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = key });
        var grant = await kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key, GranteePrincipal = $"arn:aws:iam::{_server.AccountId}:user/admin", RetiringPrincipal = $"arn:aws:iam::{_server.AccountId}:user/admin",
            Operations = ["Encrypt", "RetireGrant"], Constraints = new GrantConstraints { EncryptionContextSubset = context }, Name = "fuzz",
        });
        await kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key });
        await kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = $"arn:aws:iam::{_server.AccountId}:user/admin" });
        await kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = grant.GrantToken });
        await kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key, Description = "d" });
        await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key });
        await kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key });
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key, PendingWindowInDays = 7 });
        await kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key });
        await kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = "alias/fuzz" });
        await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = $"arn:aws:iam::{_server.AccountId}:role/none", RoleSessionName = "fuzz" }));

        // IAM as the AWS CLI sends it (there is no IAM SDK package here), and CloudTrail's LookupEvents.
        var corpus = seen.ToList();
        corpus.AddRange(new[]
        {
            "Action=CreateUser&Version=2010-05-08&UserName=fuzz&Path=%2F&Tags.member.1.Key=k&Tags.member.1.Value=v",
            "Action=PutUserPolicy&Version=2010-05-08&UserName=fuzz&PolicyName=p&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D",
            "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=3600",
            "Action=ListUsers&Version=2010-05-08&MaxItems=5&Marker=m",
            "Action=UpdateAccessKey&Version=2010-05-08&UserName=fuzz&AccessKeyId=AKIAEXAMPLE000000000&Status=Inactive",
        }.Select(b => new Seed("iam", null, Encoding.UTF8.GetBytes(b))));
        corpus.Add(new Seed("cloudtrail", LookupEventsTarget,
            """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Encrypt"}],"StartTime":1700000000,"EndTime":1900000000,"MaxResults":5,"NextToken":"Y29mZmVyLXYxOjE="}"""u8.ToArray()));
        corpus.Add(new Seed("sys", "/sys/unseal", """{"share":"coffer-share-v1:AAAA"}"""u8.ToArray()));
        var operations = corpus.Where(s => s.Service == "kms").Select(s => s.Target).Distinct().Count();
        Assert.True(operations >= 27, $"requests of only {operations} KMS operations were captured");
        return corpus;
    }

    [Fact]
    public async Task Mutated_SDK_requests_never_get_a_server_error_and_the_server_keeps_answering()
    {
        var corpus = await CaptureCorpusAsync();
        var bodies = corpus.Select(s => s.Body).ToList();
        var targets = corpus.Where(s => s.Target is not null && s.Service == "kms").Select(s => s.Target!).Distinct().ToList();
        var gen = Gen.Select(Gen.Int[0, corpus.Count - 1], Fuzz.Mutations(bodies), Gen.Int[0, 19], Gen.Int[0, targets.Count - 1]);
        var raw = _server.Raw();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var failures = new ConcurrentQueue<string>();
        var sent = 0;

        async Task SendAsync((int Seed, byte[] Body, int Twist, int OtherTarget) input)
        {
            var seed = corpus[input.Seed];
            RawResponse response;
            if (seed.Service == "sys")
            {
                var reply = await http.PostAsync(new Uri(_server.Address, seed.Target), new ByteArrayContent(input.Body));
                response = new RawResponse((int)reply.StatusCode, await reply.Content.ReadAsStringAsync(), reply);
            }
            else
            {
                var operation = seed.Service == "kms" ? (input.Twist == 0 ? targets[input.OtherTarget] : seed.Target)?["TrentService.".Length..] : null;
                response = await raw.SendBytesAsync(operation, input.Body, o =>
                {
                    o.Service = seed.Service;
                    if (seed.Service is "iam" or "sts")
                    {
                        o.ContentType = "application/x-www-form-urlencoded; charset=utf-8";
                    }

                    if (seed.Service == "cloudtrail")
                    {
                        o.ExtraHeaders["X-Amz-Target"] = seed.Target!;
                    }

                    switch (input.Twist)
                    {
                        case 1:
                            // HTTP headers are ASCII: the mutated bytes, with everything else made printable.
                            o.Authorization = "AWS4-HMAC-SHA256 " + new string(input.Body.Take(200).Select(b => b is >= 0x20 and < 0x7f ? (char)b : '?').ToArray());
                            break;
                        case 2:
                            o.Time = DateTimeOffset.UtcNow.AddMinutes(input.OtherTarget - 20);
                            break;
                        case 3:
                            o.Region = "x" + input.OtherTarget;
                            break;
                        case 4:
                            o.SendDate = false;
                            o.ExtraHeaders["X-Amz-Date"] = new string(input.Body.Take(24).Select(b => b is >= 0x20 and < 0x7f ? (char)b : '0').ToArray());
                            break;
                    }
                }).WaitAsync(TimeSpan.FromSeconds(20));
            }

            Interlocked.Increment(ref sent);
            if (response.Status >= 500)
            {
                failures.Enqueue($"{seed.Service} {seed.Target} twist {input.Twist} body {Convert.ToBase64String(input.Body)} -> {response.Status} {response.Body}");
            }
        }

        var inputs = new List<(int, byte[], int, int)>();
        Fuzz.Run(gen, inputs.Add, fixedRun: 1500);
        await Parallel.ForEachAsync(inputs, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (input, _) => await SendAsync(input));

        Assert.True(failures.IsEmpty, $"{failures.Count} of {sent} requests got a server error, e.g.:\n{string.Join('\n', failures.Take(5))}");
        var health = await http.GetAsync(new Uri(_server.Address, "/health"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var key = (await _server.Kms().CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await _server.Kms().EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([9]) });
    }
}
