using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public sealed class AccessControlTests(ServerFixture<OnSqlite> fixture) : AccessControlTests<OnSqlite>(fixture);

public sealed class AccessControlTestsOnPostgres(ServerFixture<OnPostgres> fixture) : AccessControlTests<OnPostgres>(fixture);

/// <summary>Key policies, IAM policies and grants decide every KMS request, as AWS KMS decides them.</summary>
public abstract class AccessControlTests<TEngine>(ServerFixture<TEngine> fixture) : IClassFixture<ServerFixture<TEngine>>
    where TEngine : IEngine
{
    private TestCoffer Server => fixture.Server;
    private AmazonKeyManagementServiceClient Admin => Server.Kms();
    private string Account => Server.AccountId;

    private async Task<string> NewKeyAsync(string? policy = null, bool bypass = false) =>
        (await Admin.CreateKeyAsync(new CreateKeyRequest { Policy = policy, BypassPolicyLockoutSafetyCheck = bypass })).KeyMetadata.Arn;

    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static Task<EncryptResponse> EncryptAsync(AmazonKeyManagementServiceClient kms, string keyId, Dictionary<string, string>? context = null) =>
        kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1, 2, 3]), EncryptionContext = context });

    private static string Allow(string action, string resource = "*") =>
        $$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"{{{action}}}","Resource":"{{{resource}}}"}]}""";

    [Fact]
    public async Task A_new_user_without_policies_is_denied_with_AWS_message()
    {
        var key = await NewKeyAsync();
        var alice = await Iam.CreateUserAsync(Server, UniqueName("alice"));

        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(alice.Kms, key),
            $"User: {alice.Arn} is not authorized to perform: kms:Encrypt on resource: {key} because no identity-based policy allows the kms:Encrypt action");
        await Errors.ExpectAsync("AccessDeniedException", () => alice.Kms.CreateKeyAsync(new CreateKeyRequest()),
            $"User: {alice.Arn} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action");
    }

    [Fact]
    public async Task An_IAM_policy_allows_a_key_whose_policy_delegates_to_the_account_and_takes_effect_at_once()
    {
        var key = await NewKeyAsync();
        var other = await NewKeyAsync();
        var bob = await Iam.CreateUserAsync(Server, UniqueName("bob"));

        await Iam.PutUserPolicyAsync(Server, bob.Name, "encrypt-one-key", Allow("kms:Encrypt", key));

        Assert.Equal(key, (await EncryptAsync(bob.Kms, key)).KeyId);
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(bob.Kms, other));
        await Errors.ExpectAsync("AccessDeniedException", () => bob.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key }));
    }

    [Fact]
    public async Task An_explicit_deny_in_an_IAM_policy_wins_over_an_allow()
    {
        var key = await NewKeyAsync();
        var carol = await Iam.CreateUserAsync(Server, UniqueName("carol"), Allow("kms:*"));
        await Iam.PutUserPolicyAsync(Server, carol.Name, "deny-encrypt",
            $$$"""{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:Encrypt","Resource":"{{{key}}}"}}""");

        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(carol.Kms, key),
            $"User: {carol.Arn} is not authorized to perform: kms:Encrypt on resource: {key} with an explicit deny in an identity-based policy");
        await carol.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key });
    }

    [Fact]
    public async Task A_key_policy_that_does_not_delegate_to_the_account_keeps_IAM_allowed_users_out()
    {
        var dave = await Iam.CreateUserAsync(Server, UniqueName("dave"), Allow("kms:*"));
        var adminArn = $"arn:aws:iam::{Account}:user/admin";
        var key = await NewKeyAsync($$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{{adminArn}}}"},"Action":"kms:*","Resource":"*"}]}
            """);

        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(dave.Kms, key),
            $"User: {dave.Arn} is not authorized to perform: kms:Encrypt on resource: {key} because no resource-based policy allows the kms:Encrypt action");
        await EncryptAsync(Admin, key);
    }

    [Fact]
    public async Task A_key_policy_naming_a_user_directly_needs_no_IAM_policy_and_its_conditions_hold()
    {
        var erin = await Iam.CreateUserAsync(Server, UniqueName("erin"));
        var key = await NewKeyAsync($$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account}}}:root"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Allow","Principal":{"AWS":"{{{erin.Arn}}}"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*",
               "Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"acme"} } } ]}
            """);

        var encrypted = await EncryptAsync(erin.Kms, key, new() { ["tenant"] = "acme" });
        await erin.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = new() { ["tenant"] = "acme" } });
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(erin.Kms, key, new() { ["tenant"] = "other" }));
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(erin.Kms, key));
    }

    [Fact]
    public async Task A_grant_allows_its_operations_until_revoked()
    {
        var key = await NewKeyAsync();
        var frank = await Iam.CreateUserAsync(Server, UniqueName("frank"));
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(frank.Kms, key));

        var grant = await Admin.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key,
            GranteePrincipal = frank.Arn,
            Operations = [GrantOperation.Encrypt, GrantOperation.Decrypt],
        });
        var blob = (await EncryptAsync(frank.Kms, key)).CiphertextBlob;
        await frank.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob });
        await Errors.ExpectAsync("AccessDeniedException",
            () => frank.Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256 }));

        var listed = await Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key });
        var entry = Assert.Single(listed.Grants);
        Assert.Equal(grant.GrantId, entry.GrantId);
        Assert.Equal(frank.Arn, entry.GranteePrincipal);
        Assert.Equal(["Decrypt", "Encrypt"], entry.Operations.Order());

        await Admin.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key, GrantId = grant.GrantId });
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(frank.Kms, key));
        Assert.Empty((await Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key })).Grants);
    }

    [Fact]
    public async Task Grant_constraints_limit_the_encryption_context()
    {
        var key = await NewKeyAsync();
        var gina = await Iam.CreateUserAsync(Server, UniqueName("gina"));
        await Admin.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key,
            GranteePrincipal = gina.Arn,
            Operations = [GrantOperation.Encrypt],
            Constraints = new Amazon.KeyManagementService.Model.GrantConstraints { EncryptionContextSubset = new() { ["dept"] = "hr" } },
        });

        await EncryptAsync(gina.Kms, key, new() { ["dept"] = "hr", ["extra"] = "ok" });
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(gina.Kms, key, new() { ["dept"] = "it" }));
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(gina.Kms, key));
    }

    [Fact]
    public async Task The_retiring_principal_retires_a_grant_by_its_token()
    {
        var key = await NewKeyAsync();
        var hank = await Iam.CreateUserAsync(Server, UniqueName("hank"));
        var retirer = await Iam.CreateUserAsync(Server, UniqueName("ret"));
        var grant = await Admin.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key,
            GranteePrincipal = hank.Arn,
            RetiringPrincipal = retirer.Arn,
            Operations = [GrantOperation.Encrypt],
            Name = "retire-me",
        });
        var again = await Admin.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key,
            GranteePrincipal = hank.Arn,
            RetiringPrincipal = retirer.Arn,
            Operations = [GrantOperation.Encrypt],
            Name = "retire-me",
        });
        Assert.Equal(grant.GrantId, again.GrantId);
        await EncryptAsync(hank.Kms, key);

        await Errors.ExpectAsync("AccessDeniedException", () => hank.Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = grant.GrantToken }));
        var retirable = await Admin.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = retirer.Arn });
        Assert.Equal(grant.GrantId, Assert.Single(retirable.Grants).GrantId);
        await retirer.Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = grant.GrantToken });

        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(hank.Kms, key));
        await Errors.ExpectAsync("InvalidGrantTokenException", () => retirer.Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = "not-a-token" }));
    }

    [Fact]
    public async Task Key_policies_are_read_and_replaced_with_the_lockout_safety_check()
    {
        var key = await NewKeyAsync();

        var policy = await Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key });
        Assert.Contains($"arn:aws:iam::{Account}:root", policy.Policy, StringComparison.Ordinal);
        Assert.Equal("default", policy.PolicyName);
        Assert.Equal(["default"], (await Admin.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = key })).PolicyNames);

        var lockout = $$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account}}}:user/nobody"},"Action":"kms:*","Resource":"*"}]}""";
        await Errors.ExpectAsync("MalformedPolicyDocumentException", () => Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key, Policy = lockout }),
            "The new key policy will not allow you to update the key policy in the future.");
        await Errors.ExpectAsync("MalformedPolicyDocumentException", () => Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key, Policy = "{\"Statement\": 5}" }));
        await EncryptAsync(Admin, key);

        await Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key, Policy = lockout, BypassPolicyLockoutSafetyCheck = true });
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(Admin, key));
    }

    [Fact]
    public async Task A_key_of_another_account_is_usable_by_arn_when_both_sides_allow_it()
    {
        const string otherAccount = "444455556666";
        await Server.App.CreateAccountAsync(otherAccount, "AKIAOTHERACCOUNT0001", "other-account-secret-0000000000000000000");
        var otherAdmin = Server.Kms(accessKeyId: "AKIAOTHERACCOUNT0001", secret: "other-account-secret-0000000000000000000");
        var key = await NewKeyAsync($$$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account}}}:root"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{otherAccount}}}:root"},"Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"*"}]}
            """);

        Assert.Equal(key, (await EncryptAsync(otherAdmin, key)).KeyId);
        await Errors.ExpectAsync("AccessDeniedException", () => otherAdmin.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, NumberOfBytes = 16 }));

        var unshared = await NewKeyAsync();
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(otherAdmin, unshared));
        Assert.DoesNotContain(key.Split('/')[1], (await otherAdmin.ListKeysAsync(new ListKeysRequest())).Keys.Select(k => k.KeyId));
    }

    [Fact]
    public async Task A_deactivated_or_deleted_access_key_stops_working_at_once()
    {
        var ivy = await Iam.CreateUserAsync(Server, UniqueName("ivy"), Allow("kms:ListKeys"));
        await ivy.Kms.ListKeysAsync(new ListKeysRequest());

        await Iam.CallAsync(Server.Raw(), "UpdateAccessKey", new() { ["UserName"] = ivy.Name, ["AccessKeyId"] = ivy.AccessKeyId, ["Status"] = "Inactive" });
        await Errors.ExpectAsync("UnrecognizedClientException", () => ivy.Kms.ListKeysAsync(new ListKeysRequest()));

        await Iam.CallAsync(Server.Raw(), "UpdateAccessKey", new() { ["UserName"] = ivy.Name, ["AccessKeyId"] = ivy.AccessKeyId, ["Status"] = "Active" });
        await ivy.Kms.ListKeysAsync(new ListKeysRequest());

        await Iam.CallAsync(Server.Raw(), "DeleteAccessKey", new() { ["UserName"] = ivy.Name, ["AccessKeyId"] = ivy.AccessKeyId });
        await Errors.ExpectAsync("UnrecognizedClientException", () => ivy.Kms.ListKeysAsync(new ListKeysRequest()));
    }

    [Fact]
    public async Task Principal_tags_and_request_conditions_are_condition_keys()
    {
        var key = await NewKeyAsync();
        var jo = await Iam.CreateUserAsync(Server, UniqueName("jo"));
        await Iam.CallAsync(Server.Raw(), "TagUser", new() { ["UserName"] = jo.Name, ["Tags.member.1.Key"] = "team", ["Tags.member.1.Value"] = "payments" });
        await Iam.PutUserPolicyAsync(Server, jo.Name, "by-tag", """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*",
              "Condition":{"StringEquals":{"aws:PrincipalTag/team":"payments"},"IpAddress":{"aws:SourceIp":"127.0.0.0/8"},"Bool":{"aws:SecureTransport":"false"}}}]}
            """);

        await EncryptAsync(jo.Kms, key);

        await Iam.CallAsync(Server.Raw(), "TagUser", new() { ["UserName"] = jo.Name, ["Tags.member.1.Key"] = "team", ["Tags.member.1.Value"] = "other" });
        await Errors.ExpectAsync("AccessDeniedException", () => EncryptAsync(jo.Kms, key));
    }
}
