using System.Net;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// Regression tests for the security review's findings on the request path: each request here
/// once stopped the server, gave more than was granted, reached another tenant, or got a 500.
/// </summary>
public class HostileCallerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string LookupEventsTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private TestCoffer Server => fixture.Server;
    private AmazonKeyManagementServiceClient Admin => Server.Kms();

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private async Task<string> NewKeyAsync(string? policy = null) =>
        (await Admin.CreateKeyAsync(new CreateKeyRequest { Policy = policy, BypassPolicyLockoutSafetyCheck = policy is not null })).KeyMetadata.Arn;

    private static Task<RawResponse> LookupEventsAsync(RawKmsClient client, string body) => client.SendAsync(null, body, o =>
    {
        o.Service = "cloudtrail";
        o.ExtraHeaders["X-Amz-Target"] = LookupEventsTarget;
    });

    [Fact]
    public async Task A_lone_surrogate_in_a_request_fails_at_most_that_request_and_the_server_keeps_answering()
    {
        var nobody = await Iam.CreateUserAsync(Server, UniqueName("nobody"));

        var refused = await LookupEventsAsync(nobody.Raw, """{"x":"\ud800"}""").WaitAsync(Patience);
        Assert.Equal(400, refused.Status);
        Assert.Equal("AccessDeniedException", refused.Type);

        // Every kind of request still gets its answer: KMS, IAM, CloudTrail, health.
        var keyId = (await Admin.CreateKeyAsync(new CreateKeyRequest { Description = "half \ud800 pair" }).WaitAsync(Patience)).KeyMetadata.KeyId;
        var described = await Server.Raw().SendAsync("DescribeKey", $$"""{"KeyId":"{{keyId}}"}""").WaitAsync(Patience);
        Assert.Equal(200, described.Status);
        Assert.Equal("half \ufffd pair", described.Json.GetProperty("KeyMetadata").GetProperty("Description").GetString());
        await Iam.CallAsync(Server.Raw(), "GetUser", new() { ["UserName"] = nobody.Name }).WaitAsync(Patience);
        var lookup = await LookupEventsAsync(Server.Raw(), """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"LookupEvents"}],"MaxResults":5}""")
            .WaitAsync(Patience);
        Assert.Equal(200, lookup.Status);
        var events = lookup.Json.GetProperty("Events").EnumerateArray().Select(e => e.GetProperty("CloudTrailEvent").GetString()!).ToList();
        Assert.Contains(events, e => e.Contains(nobody.AccessKeyId, StringComparison.Ordinal) && e.Contains("AccessDenied", StringComparison.Ordinal));

        using var http = new HttpClient();
        var health = await http.GetAsync(new Uri(Server.Address, "/health")).WaitAsync(Patience);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("audit").GetString());
    }

    [Theory]
    [InlineData("""{"MaxResults":"5"}""")]
    [InlineData("""{"LookupAttributes":["EventName"]}""")]
    [InlineData("""{"LookupAttributes":[{"AttributeKey":1,"AttributeValue":"x"}]}""")]
    [InlineData("""{"StartTime":1e300}""")]
    [InlineData("""{"EndTime":-1e300}""")]
    [InlineData("""{"NextToken":5}""")]
    [InlineData("""[]""")]
    public async Task Malformed_LookupEvents_input_gets_a_SerializationException(string body)
    {
        var response = await LookupEventsAsync(Server.Raw(), body);

        Assert.Equal(400, response.Status);
        Assert.Equal("SerializationException", response.Type);
    }

    [Fact]
    public async Task A_grant_that_allows_CreateGrant_creates_only_grants_that_ask_for_no_more()
    {
        var key = await NewKeyAsync();
        var bob = await Iam.CreateUserAsync(Server, UniqueName("bob"));
        var carol = await Iam.CreateUserAsync(Server, UniqueName("carol"));

        // A grant without constraints: the grants it creates keep to its operations.
        var openKey = await NewKeyAsync();
        await Admin.CreateGrantAsync(new CreateGrantRequest { KeyId = openKey, GranteePrincipal = bob.Arn, Operations = ["Encrypt", "CreateGrant"] });
        await Errors.ExpectAsync("AccessDeniedException",
            () => bob.Kms.CreateGrantAsync(new CreateGrantRequest { KeyId = openKey, GranteePrincipal = carol.Arn, Operations = ["Decrypt"] }));
        await bob.Kms.CreateGrantAsync(new CreateGrantRequest { KeyId = openKey, GranteePrincipal = carol.Arn, Operations = ["Encrypt"] });

        // A grant with a constraint: the grants it creates are at least as strict.
        await Admin.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key, GranteePrincipal = bob.Arn, Operations = ["Encrypt", "CreateGrant"],
            Constraints = new GrantConstraints { EncryptionContextSubset = new() { ["team"] = "blue" } },
        });

        Task<CreateGrantResponse> BobGrants(List<string> operations, GrantConstraints? constraints) =>
            bob.Kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = carol.Arn, Operations = operations, Constraints = constraints });

        var subset = new GrantConstraints { EncryptionContextSubset = new() { ["team"] = "blue" } };
        await Errors.ExpectAsync("AccessDeniedException", () => BobGrants(["Decrypt"], subset));
        await Errors.ExpectAsync("AccessDeniedException", () => BobGrants(["Encrypt", "Decrypt"], subset));
        await Errors.ExpectAsync("AccessDeniedException", () => BobGrants(["Encrypt"], null));
        await Errors.ExpectAsync("AccessDeniedException", () => BobGrants(["Encrypt"], new GrantConstraints { EncryptionContextSubset = new() { ["team"] = "red" } }));
        await Errors.ExpectAsync("AccessDeniedException", () => BobGrants(["Encrypt"], new GrantConstraints { EncryptionContextEquals = new() { ["other"] = "x" } }));

        await BobGrants(["Encrypt"], subset);
        await BobGrants(["Encrypt"], new GrantConstraints { EncryptionContextSubset = new() { ["team"] = "blue", ["app"] = "web" } });
        await BobGrants(["Encrypt"], new GrantConstraints { EncryptionContextEquals = new() { ["team"] = "blue" } });

        var blob = (await Admin.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]), EncryptionContext = new() { ["team"] = "blue" } }))
            .CiphertextBlob.ToArray();
        await Errors.ExpectAsync("AccessDeniedException",
            () => carol.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = new() { ["team"] = "blue" } }));
    }

    [Fact]
    public async Task CreateGrant_follows_AWS_rules_for_names_tokens_and_CreateGrant_alone()
    {
        var key = await NewKeyAsync();
        var dan = await Iam.CreateUserAsync(Server, UniqueName("dan"));

        await Errors.ExpectAsync("ValidationException",
            () => Admin.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = dan.Arn, Operations = ["CreateGrant"] }),
            "Grants must not contain only the CreateGrant operation.");

        var request = new CreateGrantRequest { KeyId = key, GranteePrincipal = dan.Arn, Operations = ["Encrypt"], Name = "retry-me" };
        var first = await Admin.CreateGrantAsync(request);
        var second = await Admin.CreateGrantAsync(request);
        Assert.Equal(first.GrantId, second.GrantId);
        Assert.NotEqual(first.GrantToken, second.GrantToken);
        Assert.Single((await Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key })).Grants);

        await Admin.RetireGrantAsync(new RetireGrantRequest { KeyId = key, GrantId = second.GrantId });
        Assert.Empty((await Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key })).Grants ?? []);
    }

    [Fact]
    public async Task The_account_that_owns_the_key_retires_its_grants_by_key_and_grant_id_only_with_IAM_permission()
    {
        var key = await NewKeyAsync();
        var eve = await Iam.CreateUserAsync(Server, UniqueName("eve"));
        var frank = await Iam.CreateUserAsync(Server, UniqueName("frank"));
        var grant = await Admin.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = eve.Arn, Operations = ["Encrypt"] });

        await Errors.ExpectAsync("AccessDeniedException", () => frank.Kms.RetireGrantAsync(new RetireGrantRequest { KeyId = key, GrantId = grant.GrantId }));
        await Errors.ExpectAsync("AccessDeniedException", () => eve.Kms.RetireGrantAsync(new RetireGrantRequest { KeyId = key, GrantId = grant.GrantId }));

        await Iam.PutUserPolicyAsync(Server, frank.Name, "retire",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:RetireGrant","Resource":"*"}]}""");
        await frank.Kms.RetireGrantAsync(new RetireGrantRequest { KeyId = key, GrantId = grant.GrantId });
    }

    [Fact]
    public async Task A_grant_to_an_account_serves_only_principals_whose_IAM_policies_allow_the_operation()
    {
        var admin = (await Iam.CallAsync(Server.Raw(), "GetUser", new())).Xml("Arn")!;
        var key = await NewKeyAsync($$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{admin}}"},"Action":"kms:*","Resource":"*"}]}
            """);
        await Admin.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = $"arn:aws:iam::{Server.AccountId}:root", Operations = ["Encrypt"] });
        var withPolicy = await Iam.CreateUserAsync(Server, UniqueName("gina"),
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""");
        var without = await Iam.CreateUserAsync(Server, UniqueName("hank"));

        await withPolicy.Kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) });
        await Errors.ExpectAsync("AccessDeniedException", () => without.Kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream([1]) }));
    }

    [Fact]
    public async Task A_key_holds_at_most_the_grant_quota()
    {
        await using var server = await TestCoffer.StartAsync(limits: new Service.KmsLimits { GrantsPerKey = 3 });
        var kms = server.Kms();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        for (var i = 0; i < 3; i++)
        {
            await kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = $"arn:aws:iam::{server.AccountId}:user/u{i}", Operations = ["Encrypt"] });
        }

        await Errors.ExpectAsync("LimitExceededException",
            () => kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = $"arn:aws:iam::{server.AccountId}:user/u9", Operations = ["Encrypt"] }));
    }

    [Fact]
    public async Task An_unsigned_X_Amz_Target_cannot_turn_a_captured_request_into_another_operation()
    {
        var keyId = (await Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

        var replayed = await Server.Raw().SendAsync("DisableKey", $$"""{"KeyId":"{{keyId}}"}""", o => o.UnsignedHeaders.Add("x-amz-target"));

        Assert.Equal(400, replayed.Status);
        Assert.Equal("InvalidSignatureException", replayed.Type);
        Assert.Equal("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.", replayed.ErrorMessage);
        Assert.True((await Admin.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.Enabled);

        var unsignedExtra = await Server.Raw().SendAsync("DescribeKey", $$"""{"KeyId":"{{keyId}}"}""", o =>
        {
            o.ExtraHeaders["X-Amz-Security-Token"] = "token";
            o.UnsignedHeaders.Add("x-amz-security-token");
        });
        Assert.Equal("InvalidSignatureException", unsignedExtra.Type);
    }

    [Fact]
    public async Task A_malformed_access_key_id_is_refused_without_a_lookup_and_made_up_ids_never_grow_the_cache()
    {
        foreach (var id in new[] { "short", "akia0000000000000000", "AKIA-000000000000000", new string('A', 129) })
        {
            var response = await new RawKmsClient(Server.Address, id, "secret", "us-east-1").SendAsync("ListKeys", "{}");
            Assert.Equal("UnrecognizedClientException", response.Type);
        }

        var directory = Server.App.AccessKeys;
        var tasks = Enumerable.Range(0, Service.Identity.AccessKeyDirectory.CacheCapacity + 500)
            .Select(i => directory.FindAsync($"AKIA{i:D16}", null, CancellationToken.None).AsTask());
        await Task.WhenAll(tasks);
        Assert.True(directory.CachedCount <= Service.Identity.AccessKeyDirectory.CacheCapacity, $"{directory.CachedCount} entries cached");
    }

    [Fact]
    public async Task An_encryption_context_value_too_long_is_a_ValidationException_not_a_500()
    {
        var keyId = (await Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => Admin.EncryptAsync(new EncryptRequest
        {
            KeyId = keyId, Plaintext = new MemoryStream([1]), EncryptionContext = new() { ["big"] = new string('x', 70_000) },
        }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task A_date_no_calendar_holds_in_a_policy_condition_is_refused_or_never_matches_but_never_a_500()
    {
        var keyId = (await Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var admin = (await Iam.CallAsync(Server.Raw(), "GetUser", new())).Xml("Arn")!;
        var policy = $$$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"{{{{admin}}}}"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"99999999999999"}}}]}
            """;

        try
        {
            await Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyId, Policy = policy });
        }
        catch (AmazonKeyManagementServiceException error)
        {
            Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
            Assert.Equal("MalformedPolicyDocumentException", error.ErrorCode);
            return;
        }

        var response = await Server.Raw().SendAsync("Encrypt", $$"""{"KeyId":"{{keyId}}","Plaintext":"AQ=="}""");
        Assert.NotEqual(500, response.Status);
    }

    [Fact]
    public async Task A_control_character_in_an_IAM_name_gets_the_IAM_error_and_an_audit_event()
    {
        var response = await Server.Raw().QueryAsync("iam", "DeleteUser", new Dictionary<string, string> { ["UserName"] = "\u0001" });

        Assert.Equal(400, response.Status);
        Assert.Equal("ValidationError", response.Xml("Code"));
        var requestId = response.Message.Headers.GetValues("x-amzn-RequestId").Single();
        Assert.Contains(await Server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { Limit = 50, NewestFirst = true }),
            e => e.Json.Contains(requestId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_is_a_SerializationException()
    {
        // Model validation caught bad UTF-8 in KMS members; LookupEvents' own members were read as strings and threw.
        byte[] body = [.. "{\"NextToken\":\"co"u8, 0xCF, .. "\"}"u8];

        var response = await Server.Raw().SendBytesAsync(null, body, o =>
        {
            o.Service = "cloudtrail";
            o.ExtraHeaders["X-Amz-Target"] = LookupEventsTarget;
        });

        Assert.Equal(400, response.Status);
        Assert.Equal("SerializationException", response.Type);
    }

    [Fact]
    public async Task A_policy_that_escapes_half_a_surrogate_pair_is_a_malformed_policy()
    {
        var keyId = (await Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var policy = """{"Version":"2012-10-17","Statement":[{"Sid":"\ud800","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}""";

        await Errors.ExpectAsync("MalformedPolicyDocumentException",
            () => Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyId, Policy = policy, BypassPolicyLockoutSafetyCheck = true }));
        var user = UniqueName("pol");
        await Iam.CallAsync(Server.Raw(), "CreateUser", new() { ["UserName"] = user });
        var iam = await Server.Raw().QueryAsync("iam", "PutUserPolicy", new Dictionary<string, string> { ["UserName"] = user, ["PolicyName"] = "p", ["PolicyDocument"] = policy });
        Assert.Equal(400, iam.Status);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("${aws:username}")]
    [InlineData("team?")]
    public async Task A_principal_tag_value_that_could_widen_a_policy_variable_is_refused(string value)
    {
        var user = UniqueName("tagged");
        await Iam.CallAsync(Server.Raw(), "CreateUser", new() { ["UserName"] = user });

        var response = await Server.Raw().QueryAsync("iam", "TagUser", new Dictionary<string, string>
        {
            ["UserName"] = user, ["Tags.member.1.Key"] = "team", ["Tags.member.1.Value"] = value,
        });

        Assert.Equal(400, response.Status);
        Assert.Equal("ValidationError", response.Xml("Code"));
    }

    [Fact]
    public async Task Unsealed_key_material_in_memory_is_bounded_and_evicted_keys_still_work()
    {
        await using var server = await TestCoffer.StartAsync(limits: new Service.KmsLimits { MaterialVersionsCached = 3 });
        var kms = server.Kms();
        var sealedBlobs = new List<(string KeyId, byte[] Blob)>();
        for (var i = 0; i < 8; i++)
        {
            var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            sealedBlobs.Add((keyId, (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([(byte)i]) })).CiphertextBlob.ToArray()));
            Assert.True(server.App.Vault.CachedCount <= 3, $"{server.App.Vault.CachedCount} material versions cached");
        }

        for (var i = 0; i < sealedBlobs.Count; i++)
        {
            var plaintext = (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(sealedBlobs[i].Blob) })).Plaintext.ToArray();
            Assert.Equal([(byte)i], plaintext);
        }
    }

    [Fact]
    public async Task An_unauthenticated_caller_cannot_make_its_audit_event_large()
    {
        var form = "Action=" + new string('A', 200_000) + "&Version=2010-05-08";
        var response = await new RawKmsClient(Server.Address, "AKIA" + new string('Z', 3000), "x", "us-east-1")
            .QueryAsync("iam", new string('B', 20_000), null, o =>
            {
                o.BodyAfterSigning = form;
                o.ExtraHeaders["User-Agent"] = new string('u', 20_000);
            });
        Assert.Equal(403, response.Status);

        var requestId = response.Message.Headers.GetValues("x-amzn-RequestId").Single();
        var recorded = (await Server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { Limit = 20, NewestFirst = true }))
            .Single(e => e.Json.Contains(requestId, StringComparison.Ordinal));
        Assert.True(recorded.Json.Length < 8_000, $"the event of one unauthenticated request holds {recorded.Json.Length} characters");
        Assert.Equal("Unknown", recorded.EventName);
    }

    [Fact]
    public async Task CreateUser_with_duplicate_or_too_many_tags_is_refused_and_makes_no_user()
    {
        var name = UniqueName("dup");
        var duplicate = await Server.Raw().QueryAsync("iam", "CreateUser", new Dictionary<string, string>
        {
            ["UserName"] = name, ["Tags.member.1.Key"] = "a", ["Tags.member.1.Value"] = "1", ["Tags.member.2.Key"] = "a", ["Tags.member.2.Value"] = "2",
        });

        Assert.Equal(400, duplicate.Status);
        Assert.Equal(404, (await Server.Raw().QueryAsync("iam", "GetUser", new Dictionary<string, string> { ["UserName"] = name })).Status);
    }

    [Fact]
    public async Task Grant_constraints_and_grants_per_grantee_stay_within_AWS_quotas()
    {
        await using var server = await TestCoffer.StartAsync(limits: new Service.KmsLimits { GrantsPerGranteePerKey = 2 });
        var kms = server.Kms();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var grantee = $"arn:aws:iam::{server.AccountId}:user/one";

        await Errors.ExpectAsync("ValidationException", () => kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key, GranteePrincipal = grantee, Operations = ["Encrypt"],
            Constraints = new GrantConstraints { EncryptionContextSubset = new() { ["k"] = new string('v', 385) } },
        }));
        await Errors.ExpectAsync("ValidationException", () => kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key, GranteePrincipal = grantee, Operations = ["Encrypt"],
            Constraints = new GrantConstraints { EncryptionContextEquals = Enumerable.Range(0, 9).ToDictionary(i => $"k{i}", i => "v") },
        }));

        await kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = grantee, Operations = ["Encrypt"] });
        await kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = grantee, Operations = ["Decrypt"] });
        await Errors.ExpectAsync("LimitExceededException",
            () => kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = grantee, Operations = ["DescribeKey"] }));
        await kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = $"arn:aws:iam::{server.AccountId}:user/two", Operations = ["Encrypt"] });
    }

    [Fact]
    public async Task A_dev_admin_key_id_no_request_could_use_is_refused_at_start()
    {
        var options = new ServerOptions
        {
            Dev = true, DataDir = Directory.CreateTempSubdirectory("coffer-badkey-").FullName, Listen = "127.0.0.1:0",
            DevAccessKeyId = "test", DevSecretAccessKey = "test", Console = TextWriter.Null,
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CofferApp.StartAsync(options));

        Assert.Contains("not in AWS's form", error.Message, StringComparison.Ordinal);
    }
}
