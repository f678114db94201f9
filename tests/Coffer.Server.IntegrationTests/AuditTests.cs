using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Coffer.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Server.IntegrationTests;

public sealed class AuditTests(ServerFixture<OnSqlite> fixture) : AuditTests<OnSqlite>(fixture);

public sealed class AuditTestsOnPostgres(ServerFixture<OnPostgres> fixture) : AuditTests<OnPostgres>(fixture);

/// <summary>Every request yields exactly one CloudTrail-shaped event, durable before the response, and never a secret.</summary>
public abstract class AuditTests<TEngine>(ServerFixture<TEngine> fixture) : IClassFixture<ServerFixture<TEngine>>
    where TEngine : IEngine
{
    private TestCoffer Server => fixture.Server;
    private AmazonKeyManagementServiceClient Kms => Server.Kms();

    private async Task<JsonElement> EventOfAsync(string requestId)
    {
        var events = (await Server.App.Audit.Store.QueryAsync(new AuditFilter { Limit = int.MaxValue }))
            .Select(e => JsonDocument.Parse(e.Json).RootElement)
            .Where(e => e.TryGetProperty("requestID", out var id) && id.GetString() == requestId)
            .ToList();
        return Assert.Single(events);
    }

    [Fact]
    public async Task Each_operation_yields_exactly_one_event_with_CloudTrail_fields()
    {
        var created = await Kms.CreateKeyAsync(new CreateKeyRequest { Description = "audited" });
        var key = created.KeyMetadata.Arn;
        var encrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1, 2, 3]), EncryptionContext = new() { ["app"] = "audit" } });
        var described = await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key });

        var createEvent = await EventOfAsync(created.ResponseMetadata.RequestId);
        Assert.Equal("1.08", createEvent.GetProperty("eventVersion").GetString());
        Assert.Equal("CreateKey", createEvent.GetProperty("eventName").GetString());
        Assert.Equal("kms.amazonaws.com", createEvent.GetProperty("eventSource").GetString());
        Assert.Equal("us-east-1", createEvent.GetProperty("awsRegion").GetString());
        Assert.Equal("AwsApiCall", createEvent.GetProperty("eventType").GetString());
        Assert.False(createEvent.GetProperty("readOnly").GetBoolean());
        Assert.Equal(Server.AccountId, createEvent.GetProperty("recipientAccountId").GetString());
        var identity = createEvent.GetProperty("userIdentity");
        Assert.Equal("IAMUser", identity.GetProperty("type").GetString());
        Assert.Equal($"arn:aws:iam::{Server.AccountId}:user/admin", identity.GetProperty("arn").GetString());
        Assert.Equal(Server.AccessKeyId, identity.GetProperty("accessKeyId").GetString());
        Assert.Equal("127.0.0.1", createEvent.GetProperty("sourceIPAddress").GetString());
        Assert.Contains("aws-sdk-dotnet", createEvent.GetProperty("userAgent").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("audited", createEvent.GetProperty("requestParameters").GetProperty("description").GetString());
        Assert.Equal(key, createEvent.GetProperty("responseElements").GetProperty("keyMetadata").GetProperty("arn").GetString());
        Assert.True(Guid.TryParse(createEvent.GetProperty("eventID").GetString(), out _));

        var encryptEvent = await EventOfAsync(encrypted.ResponseMetadata.RequestId);
        Assert.Equal("Encrypt", encryptEvent.GetProperty("eventName").GetString());
        Assert.True(encryptEvent.GetProperty("readOnly").GetBoolean());
        Assert.Equal("audit", encryptEvent.GetProperty("requestParameters").GetProperty("encryptionContext").GetProperty("app").GetString());
        Assert.False(encryptEvent.GetProperty("requestParameters").TryGetProperty("plaintext", out _));
        Assert.Equal(JsonValueKind.Null, encryptEvent.GetProperty("responseElements").ValueKind);
        var resource = Assert.Single(encryptEvent.GetProperty("resources").EnumerateArray());
        Assert.Equal(key, resource.GetProperty("ARN").GetString());
        Assert.Equal("AWS::KMS::Key", resource.GetProperty("type").GetString());

        Assert.Equal("DescribeKey", (await EventOfAsync(described.ResponseMetadata.RequestId)).GetProperty("eventName").GetString());
    }

    [Fact]
    public async Task Failed_denied_and_unauthenticated_requests_are_events_too()
    {
        var missing = await Assert.ThrowsAsync<Amazon.KeyManagementService.Model.NotFoundException>(
            () => Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Guid.NewGuid().ToString() }));
        var failed = await EventOfAsync(missing.RequestId);
        Assert.Equal("NotFoundException", failed.GetProperty("errorCode").GetString());
        Assert.StartsWith("Key 'arn:aws:kms:", failed.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);

        var user = await Iam.CreateUserAsync(Server, $"audited-{Guid.NewGuid():N}"[..20]);
        var deniedError = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => user.Kms.ListKeysAsync(new ListKeysRequest()));
        var denied = await EventOfAsync(deniedError.RequestId);
        Assert.Equal("AccessDeniedException", denied.GetProperty("errorCode").GetString());
        Assert.Equal(user.Arn, denied.GetProperty("userIdentity").GetProperty("arn").GetString());

        var unsigned = await Server.Raw().SendAsync("ListKeys", "{}", o => o.Sign = false);
        var anonymous = await EventOfAsync(unsigned.Message.Headers.GetValues("x-amzn-RequestId").Single());
        Assert.Equal("MissingAuthenticationTokenException", anonymous.GetProperty("errorCode").GetString());
        Assert.Equal("Unknown", anonymous.GetProperty("userIdentity").GetProperty("type").GetString());
        Assert.Equal("ListKeys", anonymous.GetProperty("eventName").GetString());

        var wrongKey = await Server.Raw().SendAsync("ListKeys", "{}", o => o.AccessKeyId = "AKIAWHOISTHIS0000000");
        var unknown = await EventOfAsync(wrongKey.Message.Headers.GetValues("x-amzn-RequestId").Single());
        Assert.Equal("AKIAWHOISTHIS0000000", unknown.GetProperty("userIdentity").GetProperty("accessKeyId").GetString());
    }

    [Fact]
    public async Task IAM_and_STS_calls_are_recorded_with_their_event_source_and_no_secrets()
    {
        var name = $"iam-{Guid.NewGuid():N}"[..20];
        var created = await Iam.CallAsync(Server.Raw(), "CreateUser", new() { ["UserName"] = name });
        var key = await Iam.CallAsync(Server.Raw(), "CreateAccessKey", new() { ["UserName"] = name });
        var sts = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(Server.AccessKeyId, Server.SecretAccessKey),
            new AmazonSecurityTokenServiceConfig { ServiceURL = Server.Address.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        var createEvent = await EventOfAsync(created.Message.Headers.GetValues("x-amzn-RequestId").Single());
        Assert.Equal("iam.amazonaws.com", createEvent.GetProperty("eventSource").GetString());
        Assert.Equal("CreateUser", createEvent.GetProperty("eventName").GetString());
        Assert.Equal(name, createEvent.GetProperty("requestParameters").GetProperty("userName").GetString());
        var keyEvent = await EventOfAsync(key.Message.Headers.GetValues("x-amzn-RequestId").Single());
        Assert.DoesNotContain(key.Xml("SecretAccessKey")!, keyEvent.GetRawText(), StringComparison.Ordinal);
        var stsEvent = await EventOfAsync(identity.ResponseMetadata.RequestId);
        Assert.Equal("sts.amazonaws.com", stsEvent.GetProperty("eventSource").GetString());
        Assert.True(stsEvent.GetProperty("readOnly").GetBoolean());
    }

    [Fact]
    public async Task No_plaintext_data_key_secret_or_session_token_appears_in_any_event()
    {
        var secrets = new List<byte[]>();
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;
        var plaintext = RandomNumberGenerator.GetBytes(48);
        secrets.Add(plaintext);
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(plaintext) })).CiphertextBlob;
        secrets.Add((await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray());
        secrets.Add((await Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256 })).Plaintext.ToArray());
        secrets.Add((await Kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 32 })).Plaintext.ToArray());
        await Kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()), DestinationKeyId = key });
        var grant = await Kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = $"arn:aws:iam::{Server.AccountId}:user/admin", Operations = [GrantOperation.Encrypt] });
        var user = await Iam.CreateUserAsync(Server, $"s-{Guid.NewGuid():N}"[..16]);
        var trust = $$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Server.AccountId}}}:user/admin"},"Action":"sts:AssumeRole"}]}""";
        var role = await Iam.CallAsync(Server.Raw(), "CreateRole", new() { ["RoleName"] = $"r-{Guid.NewGuid():N}"[..16], ["AssumeRolePolicyDocument"] = trust });
        var session = await Server.Raw().QueryAsync("sts", "AssumeRole", new Dictionary<string, string> { ["RoleArn"] = role.Xml("Arn")!, ["RoleSessionName"] = "leak-check" });

        var texts = new List<string>
        {
            Server.SecretAccessKey, user.SecretAccessKey, session.Xml("SecretAccessKey")!, session.Xml("SessionToken")!, grant.GrantToken,
        };
        foreach (var secret in secrets)
        {
            texts.Add(Convert.ToBase64String(secret));
            texts.Add(Convert.ToHexString(secret));
            texts.Add(Convert.ToHexStringLower(secret));
        }

        var all = await Server.App.Audit.Store.QueryAsync(new AuditFilter { Limit = int.MaxValue });
        Assert.NotEmpty(all);
        foreach (var record in all)
        {
            foreach (var text in texts)
            {
                Assert.DoesNotContain(text, record.Json, StringComparison.Ordinal);
            }

            var bytes = Encoding.UTF8.GetBytes(record.Json);
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(secret) < 0);
            }
        }
    }

    [Fact]
    public async Task LookupEvents_needs_cloudtrail_permission()
    {
        var user = await Iam.CreateUserAsync(Server, $"lookup-{Guid.NewGuid():N}"[..20]);

        var denied = await user.Raw.SendAsync(null, "{}", o =>
        {
            o.Service = "cloudtrail";
            o.ExtraHeaders["X-Amz-Target"] = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
        });
        var allowed = await Server.Raw().SendAsync(null, """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateUser"}],"MaxResults":5}""", o =>
        {
            o.Service = "cloudtrail";
            o.ExtraHeaders["X-Amz-Target"] = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
        });

        Assert.Equal("AccessDeniedException", denied.Type);
        Assert.Equal(200, allowed.Status);
        var events = allowed.Json.GetProperty("Events").EnumerateArray().ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal("CreateUser", e.GetProperty("EventName").GetString()));
        Assert.All(events, e => Assert.Equal("CreateUser", JsonDocument.Parse(e.GetProperty("CloudTrailEvent").GetString()!).RootElement.GetProperty("eventName").GetString()));
    }
}

/// <summary>What happens when the trail cannot be written, and the trail across time.</summary>
public sealed class AuditFailClosedTests : IAsyncLifetime
{
    /// <summary>The first request after the disk recovers is still refused up front (the trail is known broken); its event repairs it.</summary>
    private static async Task RecoverAsync(AmazonKeyManagementServiceClient kms)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await kms.ListKeysAsync(new ListKeysRequest());
                return;
            }
            catch (AmazonKeyManagementServiceException) when (attempt < 2)
            {
            }
        }
    }

    private FailingAuditStore _store = null!;
    private TestCoffer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestCoffer.StartAsync(auditStore: dir => _store = new FailingAuditStore(Storage.Sqlite.SqliteAuditStore.InDirectory(dir)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task When_the_trail_cannot_be_written_requests_fail_and_nothing_leaves_or_happens()
    {
        var kms = _server.Kms();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([7, 7, 7]) })).CiphertextBlob.ToArray();
        var keysBefore = (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Count;

        _store.Fail = true;
        // A state-changing request is the first to meet the broken trail: it is refused before it runs.
        var create = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.CreateKeyAsync(new CreateKeyRequest()));
        Assert.Equal("KMSInternalException", create.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, create.StatusCode);
        _store.Fail = false;
        await RecoverAsync(kms);
        Assert.Equal(keysBefore, (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Count);

        _store.Fail = true;
        var decrypt = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, decrypt.StatusCode);
        Assert.Equal("KMSInternalException", decrypt.ErrorCode);

        _store.Fail = false;
        await RecoverAsync(kms);
        Assert.Equal(keysBefore, (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Count);
        Assert.Equal([7, 7, 7], (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
    }
}

/// <summary>Retention and background events on a server whose clock the test moves.</summary>
public sealed class AuditTimeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestCoffer _server = null!;

    public async Task InitializeAsync() => _server = await TestCoffer.StartAsync(_clock, auditRetention: TimeSpan.FromDays(7));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Key_deletion_by_the_job_is_an_AwsServiceEvent()
    {
        var kms = _server.Kms();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        _clock.Advance(TimeSpan.FromDays(8));
        await _server.App.DeletionJob.RunOnceAsync();

        var deletion = (await _server.App.Audit.Store.QueryAsync(new AuditFilter { EventName = "DeleteKey", Limit = 10 })).Select(e => JsonDocument.Parse(e.Json).RootElement).Single();
        Assert.Equal("AwsServiceEvent", deletion.GetProperty("eventType").GetString());
        Assert.Equal("kms.amazonaws.com", deletion.GetProperty("userIdentity").GetProperty("invokedBy").GetString());
        Assert.Equal(key.Arn, deletion.GetProperty("resources")[0].GetProperty("ARN").GetString());
    }

    [Fact]
    public async Task Retention_removes_old_events_only_with_a_signed_record_and_the_trail_still_verifies()
    {
        var kms = _server.Kms();
        await kms.CreateKeyAsync(new CreateKeyRequest());
        await _server.App.WriteAuditDigestAsync();
        var before = await _server.App.Audit.Store.QueryAsync(new AuditFilter { Limit = int.MaxValue });

        _clock.Advance(TimeSpan.FromDays(10));
        await kms.ListKeysAsync(new ListKeysRequest());
        await _server.App.WriteAuditDigestAsync();

        var after = await _server.App.Audit.Store.QueryAsync(new AuditFilter { Limit = int.MaxValue });
        Assert.Single(after);
        Assert.True(after[0].Sequence > before.Max(e => e.Sequence));
        var digests = await _server.App.Audit.Store.ReadDigestsAsync();
        Assert.Contains(digests, d => d.Json.Contains("\"retention\"", StringComparison.Ordinal));
        var publicKey = await File.ReadAllTextAsync(Path.Combine(_server.Options.DataDir, "audit-public-key.pem"));
        var result = Audit.AuditVerifier.Verify(after, digests, Crypto.AuditSigningKey.PublicKeyFromPem(publicKey)!);
        Assert.True(result.Ok, result.Summary);
    }
}
