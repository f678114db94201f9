using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Server.IntegrationTests;

public sealed class StsTests : StsTests<OnSqlite>;

public sealed class StsTestsOnPostgres : StsTests<OnPostgres>;

/// <summary>STS through the AWS SDK for .NET: caller identity, roles, trust policies, expiring sessions.</summary>
public abstract class StsTests<TEngine> : IAsyncLifetime
    where TEngine : IEngine
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestCoffer _server = null!;

    public async Task InitializeAsync() => _server = await TestCoffer.StartAsync(_clock, engine: TEngine.Name);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private AmazonSecurityTokenServiceClient Sts(AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = _server.Address.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private static string Trust(string principal) =>
        $$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{{principal}}}"},"Action":"sts:AssumeRole"}]}""";

    private async Task<string> CreateRoleAsync(string name, string trust, string? policy = null)
    {
        var created = await Iam.CallAsync(_server.Raw(), "CreateRole", new() { ["RoleName"] = name, ["AssumeRolePolicyDocument"] = trust });
        if (policy is not null)
        {
            await Iam.CallAsync(_server.Raw(), "PutRolePolicy", new() { ["RoleName"] = name, ["PolicyName"] = "inline", ["PolicyDocument"] = policy });
        }

        return created.Xml("Arn")!;
    }

    [Fact]
    public async Task GetCallerIdentity_names_the_signing_user()
    {
        var identity = await Sts(new BasicAWSCredentials(_server.AccessKeyId, _server.SecretAccessKey)).GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(_server.AccountId, identity.Account);
        Assert.Equal($"arn:aws:iam::{_server.AccountId}:user/admin", identity.Arn);
        Assert.StartsWith("AIDA", identity.UserId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assumed_role_credentials_work_with_the_role_policies_until_they_expire()
    {
        var user = await Iam.CreateUserAsync(_server, "role-user", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var roleArn = await CreateRoleAsync("encryptor", Trust($"arn:aws:iam::{_server.AccountId}:root"),
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:CreateKey"],"Resource":"*"}]}""");
        var key = (await _server.Kms().CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;

        var assumed = await Sts(new BasicAWSCredentials(user.AccessKeyId, user.SecretAccessKey))
            .AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "batch-job", DurationSeconds = 900 });

        Assert.StartsWith("ASIA", assumed.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal($"arn:aws:sts::{_server.AccountId}:assumed-role/encryptor/batch-job", assumed.AssumedRoleUser.Arn);
        var session = new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken);
        var kms = Iam.Kms(_server, assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken);
        Assert.Equal(assumed.AssumedRoleUser.Arn, (await Sts(session).GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) })).CiphertextBlob;
        await Errors.ExpectAsync("AccessDeniedException", () => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }),
            $"User: {assumed.AssumedRoleUser.Arn} is not authorized to perform: kms:Decrypt on resource: {key} because no identity-based policy allows the kms:Decrypt action");

        _clock.Advance(TimeSpan.FromSeconds(901));
        await Errors.ExpectAsync("ExpiredTokenException", () => kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) }));
    }

    [Fact]
    public async Task A_tampered_session_token_or_a_token_on_the_wrong_key_is_refused()
    {
        var roleArn = await CreateRoleAsync("tamper", Trust($"arn:aws:iam::{_server.AccountId}:user/admin"),
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""");
        var assumed = await Sts(new BasicAWSCredentials(_server.AccessKeyId, _server.SecretAccessKey))
            .AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1" });
        var token = assumed.Credentials.SessionToken;
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        var bad = Iam.Kms(_server, assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, tampered);
        await Errors.ExpectAsync("UnrecognizedClientException", () => bad.ListKeysAsync(new ListKeysRequest()));
        var missing = _server.Kms(accessKeyId: assumed.Credentials.AccessKeyId, secret: assumed.Credentials.SecretAccessKey);
        await Errors.ExpectAsync("UnrecognizedClientException", () => missing.ListKeysAsync(new ListKeysRequest()));
        await Iam.Kms(_server, assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, token).ListKeysAsync(new ListKeysRequest());
    }

    [Fact]
    public async Task A_trust_policy_that_does_not_name_the_caller_refuses_AssumeRole()
    {
        var outsider = await Iam.CreateUserAsync(_server, "outsider", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var roleArn = await CreateRoleAsync("private", Trust($"arn:aws:iam::{_server.AccountId}:user/admin"));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => Sts(new BasicAWSCredentials(outsider.AccessKeyId, outsider.SecretAccessKey))
            .AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "nope" }));
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal($"User: {outsider.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}", error.Message);

        var missingRole = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => Sts(new BasicAWSCredentials(outsider.AccessKeyId, outsider.SecretAccessKey))
            .AssumeRoleAsync(new AssumeRoleRequest { RoleArn = $"arn:aws:iam::{_server.AccountId}:role/absent", RoleSessionName = "nope" }));
        Assert.Equal("AccessDenied", missingRole.ErrorCode);
    }

    [Fact]
    public async Task A_trust_policy_delegating_to_the_account_also_needs_an_IAM_allow()
    {
        var noPolicy = await Iam.CreateUserAsync(_server, "no-assume");
        var roleArn = await CreateRoleAsync("delegated", Trust(_server.AccountId));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => Sts(new BasicAWSCredentials(noPolicy.AccessKeyId, noPolicy.SecretAccessKey))
            .AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s2" }));
        Assert.Equal("AccessDenied", error.ErrorCode);

        await Sts(new BasicAWSCredentials(_server.AccessKeyId, _server.SecretAccessKey)).AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s2" });
    }

    [Fact]
    public async Task An_explicit_deny_in_the_callers_IAM_policy_wins_over_a_trust_policy_naming_it()
    {
        var denied = await Iam.CreateUserAsync(_server, "denied-user",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var roleArn = await CreateRoleAsync("named", Trust(denied.Arn));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => Sts(new BasicAWSCredentials(denied.AccessKeyId, denied.SecretAccessKey))
            .AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s2" }));

        Assert.Equal("AccessDenied", error.ErrorCode);
    }

    [Fact]
    public async Task A_session_longer_than_the_role_allows_is_a_validation_error()
    {
        var roleArn = await CreateRoleAsync("short", Trust($"arn:aws:iam::{_server.AccountId}:user/admin"));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => Sts(new BasicAWSCredentials(_server.AccessKeyId, _server.SecretAccessKey))
            .AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s2", DurationSeconds = 7200 }));
        Assert.Equal("ValidationError", error.ErrorCode);
        Assert.Equal("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", error.Message);
    }

    [Theory]
    [InlineData("Bool", "aws:SecureTransport", "false")]
    [InlineData("StringLike", "aws:userid", "AIDA*")]
    [InlineData("StringEquals", "aws:PrincipalTag/team", "red")]
    [InlineData("DateGreaterThan", "aws:CurrentTime", "2000-01-01T00:00:00Z")]
    public async Task A_trust_policy_sees_the_global_condition_keys(string op, string key, string value)
    {
        var name = $"tp-{Guid.NewGuid():N}"[..20];
        var user = await Iam.CreateUserAsync(_server, name, """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        await Iam.CallAsync(_server.Raw(), "TagUser", new() { ["UserName"] = name, ["Tags.member.1.Key"] = "team", ["Tags.member.1.Value"] = "red" });
        var roleArn = await CreateRoleAsync(name, $$$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{{_server.AccountId}}}}:root"},"Action":"sts:AssumeRole"},
              {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"{{{{op}}}}":{"{{{{key}}}}":"{{{{value}}}}"}}}]}
            """);

        var refused = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => Sts(new BasicAWSCredentials(user.AccessKeyId, user.SecretAccessKey))
            .AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1" }));
        Assert.Equal("AccessDenied", refused.ErrorCode);
    }

    [Fact]
    public async Task Sessions_issued_before_a_cutoff_are_refused_by_aws_TokenIssueTime()
    {
        var user = await Iam.CreateUserAsync(_server, "cutoff-user", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var roleArn = await CreateRoleAsync("cutoff-role", Trust($"arn:aws:iam::{_server.AccountId}:root"),
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:CreateKey","Resource":"*"}]}""");
        var sts = Sts(new BasicAWSCredentials(user.AccessKeyId, user.SecretAccessKey));
        async Task<Amazon.KeyManagementService.AmazonKeyManagementServiceClient> SessionAsync()
        {
            var c = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "job", DurationSeconds = 3600 })).Credentials;
            return Iam.Kms(_server, c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
        }

        var old = await SessionAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));
        var cutoff = _clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        _clock.Advance(TimeSpan.FromMinutes(5));
        var fresh = await SessionAsync();
        await old.CreateKeyAsync(new CreateKeyRequest());

        await Iam.CallAsync(_server.Raw(), "PutRolePolicy", new()
        {
            ["RoleName"] = "cutoff-role", ["PolicyName"] = "revoke-older",
            ["PolicyDocument"] = $$$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"{{{{cutoff}}}}"}}}]}""",
        });

        await Errors.ExpectAsync("AccessDeniedException", () => old.CreateKeyAsync(new CreateKeyRequest()));
        await fresh.CreateKeyAsync(new CreateKeyRequest());
    }
}
