using System.Net;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// Accounts on one deployment are hostile neighbours: another account's key is reachable only by
/// the operations AWS marks "Cross-account use: Yes", and deployment-wide actions belong to the
/// operator account alone. Runs on both engines: each looks keys, aliases and grants up by account
/// in its own queries.
/// </summary>
public sealed class TenantIsolationTests(TenantIsolationTests<OnSqlite>.Deployment deployment) : TenantIsolationTests<OnSqlite>(deployment)
{
    [Fact]
    public async Task An_exception_inside_domain_key_rotation_gets_AWS_error_shape_and_an_audit_event()
    {
        // A key whose stored material no longer opens: resealing it during rotation throws. (SQLite only: it edits the file.)
        await using var server = await TestCoffer.StartAsync();
        var keyId = (await server.Kms().CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.Options.DataDir, "coffer.db")};Pooling=False"))
        {
            await db.OpenAsync();
            await using var tamper = db.CreateCommand();
            tamper.CommandText = "UPDATE key_material SET sealed = zeroblob(length(sealed)) WHERE key_id = $id";
            tamper.Parameters.AddWithValue("$id", keyId);
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var admin = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = server.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = server.SecretAccessKey };
        var rotation = await Repo.CofferAsync(["rotate-domain-key", "--address", server.Address.ToString()], admin);

        Assert.Equal(1, rotation.ExitCode);
        Assert.Contains("KMSInternalException", rotation.Stderr, StringComparison.Ordinal);
        var events = await server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { EventName = "RotateDomainKey", Limit = 10 });
        Assert.Contains(events, e => e.ErrorCode == "KMSInternalException");
        await server.Kms().ListKeysAsync(new ListKeysRequest());
    }
}

public sealed class TenantIsolationTestsOnPostgres(TenantIsolationTests<OnPostgres>.Deployment deployment) : TenantIsolationTests<OnPostgres>(deployment);

public abstract class TenantIsolationTests<TEngine>(TenantIsolationTests<TEngine>.Deployment deployment) : IClassFixture<TenantIsolationTests<TEngine>.Deployment>
    where TEngine : IEngine
{
    private const string Tenant = "444455556666";
    private const string TenantKeyId = "AKIATENANTADMIN00001";
    private const string TenantSecret = "tenant-admin-secret-00000000000000000000";

    private TestCoffer Server => deployment.Server;
    private string Key => deployment.Key;
    private AmazonKeyManagementServiceClient Owner => Server.Kms();
    private AmazonKeyManagementServiceClient Neighbour => Server.Kms(accessKeyId: TenantKeyId, secret: TenantSecret);

    /// <summary>One deployment with two accounts, and a key of the first whose policy gives the second everything.</summary>
    public sealed class Deployment : IAsyncLifetime
    {
        public TestCoffer Server { get; private set; } = null!;
        public string Key { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Server = await TestCoffer.StartAsync(engine: TEngine.Name);
            await Server.App.CreateAccountAsync(Tenant, TenantKeyId, TenantSecret);
            Key = await CreateSharedKeyAsync(null, null);
            await Server.Kms().CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/owned", TargetKeyId = Key });
        }

        /// <summary>A key of the first account whose policy gives the second everything: the refusals in these tests come from the operations' own cross-account rule, not from the policy.</summary>
        public async Task<string> CreateSharedKeyAsync(string? spec, string? usage) =>
            (await Server.Kms().CreateKeyAsync(new CreateKeyRequest
            {
                KeySpec = spec,
                KeyUsage = usage,
                Policy = $$"""
                    {"Version":"2012-10-17","Statement":[
                      {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Server.AccountId}}:root"},"Action":"kms:*","Resource":"*"},
                      {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Tenant}}:root"},"Action":"kms:*","Resource":"*"}]}
                    """,
            })).KeyMetadata.Arn;

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    public static TheoryData<string> SameAccountOnlyOperations() =>
    [
        "PutKeyPolicy", "GetKeyPolicy", "ListKeyPolicies", "ScheduleKeyDeletion", "CancelKeyDeletion", "EnableKey", "DisableKey",
        "TagResource", "UntagResource", "ListResourceTags", "UpdateKeyDescription", "CreateAlias", "UpdateAlias", "ListAliases",
        "EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand", "ListKeyRotations", "GetKeyLastUsage",
    ];

    [Theory]
    [MemberData(nameof(SameAccountOnlyOperations))]
    public async Task An_operation_without_cross_account_use_does_not_find_another_accounts_key(string operation)
    {
        Func<Task> call = operation switch
        {
            "PutKeyPolicy" => () => Neighbour.PutKeyPolicyAsync(new PutKeyPolicyRequest
            {
                KeyId = Key, BypassPolicyLockoutSafetyCheck = true,
                Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}""",
            }),
            "GetKeyPolicy" => () => Neighbour.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = Key }),
            "ListKeyPolicies" => () => Neighbour.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = Key }),
            "ScheduleKeyDeletion" => () => Neighbour.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = Key, PendingWindowInDays = 7 }),
            "CancelKeyDeletion" => () => Neighbour.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = Key }),
            "EnableKey" => () => Neighbour.EnableKeyAsync(new EnableKeyRequest { KeyId = Key }),
            "DisableKey" => () => Neighbour.DisableKeyAsync(new DisableKeyRequest { KeyId = Key }),
            "TagResource" => () => Neighbour.TagResourceAsync(new TagResourceRequest { KeyId = Key, Tags = [new Tag { TagKey = "k", TagValue = "v" }] }),
            "UntagResource" => () => Neighbour.UntagResourceAsync(new UntagResourceRequest { KeyId = Key, TagKeys = ["k"] }),
            "ListResourceTags" => () => Neighbour.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = Key }),
            "UpdateKeyDescription" => () => Neighbour.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = Key, Description = "mine now" }),
            "CreateAlias" => () => Neighbour.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/stolen", TargetKeyId = Key }),
            "UpdateAlias" => NeighbourUpdatesOwnAliasToForeignKeyAsync,
            "ListAliases" => () => Neighbour.ListAliasesAsync(new ListAliasesRequest { KeyId = Key }),
            "EnableKeyRotation" => () => Neighbour.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = Key }),
            "DisableKeyRotation" => () => Neighbour.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = Key }),
            "RotateKeyOnDemand" => () => Neighbour.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = Key }),
            "ListKeyRotations" => () => Neighbour.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = Key }),
            "GetKeyLastUsage" => () => Neighbour.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = Key }),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        await Errors.ExpectAsync("NotFoundException", call, $"Key '{Key}' does not exist");

        var metadata = (await Owner.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Key })).KeyMetadata;
        Assert.Equal(KeyState.Enabled, metadata.KeyState);
        Assert.Equal("", metadata.Description);
        Assert.Contains(Server.AccountId, (await Owner.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = Key })).Policy);
        Assert.False((await Owner.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = Key })).KeyRotationEnabled);
        Assert.Empty((await Owner.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = Key })).Rotations);
    }

    private async Task<UpdateAliasResponse> NeighbourUpdatesOwnAliasToForeignKeyAsync()
    {
        var own = (await Neighbour.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await Neighbour.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/mine", TargetKeyId = own });
        return await Neighbour.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/mine", TargetKeyId = Key });
    }

    [Fact]
    public async Task Operations_with_cross_account_use_reach_the_key_by_key_ARN_or_alias_ARN()
    {
        var aliasArn = $"arn:aws:kms:us-east-1:{Server.AccountId}:alias/owned";
        Assert.Equal(Key, (await Neighbour.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Key })).KeyMetadata.Arn);
        Assert.Equal(Key, (await Neighbour.DescribeKeyAsync(new DescribeKeyRequest { KeyId = aliasArn })).KeyMetadata.Arn);
        var blob = (await Neighbour.EncryptAsync(new EncryptRequest { KeyId = aliasArn, Plaintext = new MemoryStream([7]) })).CiphertextBlob;
        Assert.Equal([7], (await Neighbour.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray());
        await Neighbour.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = Key, KeySpec = DataKeySpec.AES_256 });
        await Neighbour.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = Key, NumberOfBytes = 32 });
        await Neighbour.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()), DestinationKeyId = Key });
        Assert.False((await Neighbour.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = Key })).KeyRotationEnabled);
        var grant = await Neighbour.CreateGrantAsync(new CreateGrantRequest { KeyId = Key, GranteePrincipal = $"arn:aws:iam::{Tenant}:root", Operations = ["Encrypt"] });
        Assert.Contains((await Neighbour.ListGrantsAsync(new ListGrantsRequest { KeyId = Key })).Grants, g => g.GrantId == grant.GrantId);
        await Neighbour.RevokeGrantAsync(new RevokeGrantRequest { KeyId = Key, GrantId = grant.GrantId });
        var retirable = await Neighbour.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = Key, GranteePrincipal = $"arn:aws:iam::{Tenant}:root", RetiringPrincipal = $"arn:aws:iam::{Tenant}:user/admin", Operations = ["Encrypt"],
        });
        await Neighbour.RetireGrantAsync(new RetireGrantRequest { GrantToken = retirable.GrantToken });

        // An alias name alone is always the caller's own account's alias; keys and aliases are listed per account.
        await Errors.ExpectAsync("NotFoundException", () => Neighbour.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/owned" }));
        await Errors.ExpectAsync("NotFoundException", () => Neighbour.DeleteAliasAsync(new DeleteAliasRequest { AliasName = "alias/owned" }));
        Assert.DoesNotContain((await Neighbour.ListKeysAsync(new ListKeysRequest { Limit = 1000 })).Keys, k => k.KeyArn == Key);
        Assert.DoesNotContain((await Neighbour.ListAliasesAsync(new ListAliasesRequest { Limit = 100 })).Aliases ?? [], a => a.AliasName == "alias/owned");
        Assert.Equal(Key, (await Owner.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/owned" })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task Asymmetric_and_HMAC_operations_with_cross_account_use_reach_the_key_by_its_ARN_only()
    {
        var signing = await deployment.CreateSharedKeyAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var hmac = await deployment.CreateSharedKeyAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        var rsa = await deployment.CreateSharedKeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var agreement = await deployment.CreateSharedKeyAsync("ECC_NIST_P256", "KEY_AGREEMENT");
        using var peer = System.Security.Cryptography.ECDiffieHellman.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

        var publicKey = await Neighbour.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = signing });
        var signature = (await Neighbour.SignAsync(new SignRequest { KeyId = signing, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_256" })).Signature;
        var verified = await Neighbour.VerifyAsync(new VerifyRequest
        {
            KeyId = signing, Message = new MemoryStream([1]), Signature = new MemoryStream(signature.ToArray()), SigningAlgorithm = "ECDSA_SHA_256",
        });
        var mac = (await Neighbour.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac, Message = new MemoryStream([2]), MacAlgorithm = "HMAC_SHA_256" })).Mac;
        var macValid = await Neighbour.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = hmac, Message = new MemoryStream([2]), Mac = new MemoryStream(mac.ToArray()), MacAlgorithm = "HMAC_SHA_256",
        });
        var rsaBlob = (await Neighbour.EncryptAsync(new EncryptRequest { KeyId = rsa, Plaintext = new MemoryStream([3]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" })).CiphertextBlob;
        var decrypted = await Neighbour.DecryptAsync(new DecryptRequest { KeyId = rsa, CiphertextBlob = rsaBlob, EncryptionAlgorithm = "RSAES_OAEP_SHA_256" });
        var pair = await Neighbour.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = Key, KeyPairSpec = "ECC_NIST_P256" });
        await Neighbour.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = Key, KeyPairSpec = "ECC_NIST_P256" });
        var secret = await Neighbour.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = agreement, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
        });

        Assert.Equal(signing, publicKey.KeyId);
        Assert.True(verified.SignatureValid);
        Assert.True(macValid.MacValid);
        Assert.Equal([3], decrypted.Plaintext.ToArray());
        Assert.Equal(Key, pair.KeyId);
        Assert.Equal(32, secret.SharedSecret.Length);

        // The bare key id names a key of the caller's own account, where there is none.
        var bareId = signing[(signing.LastIndexOf('/') + 1)..];
        await Errors.ExpectAsync("NotFoundException", () => Neighbour.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = bareId }));
        await Errors.ExpectAsync("NotFoundException",
            () => Neighbour.SignAsync(new SignRequest { KeyId = bareId, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_256" }));
    }

    [Fact]
    public async Task ListRetirableGrants_takes_only_a_principal_of_the_callers_account()
    {
        await Owner.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = Key, GranteePrincipal = $"arn:aws:iam::{Server.AccountId}:user/worker", RetiringPrincipal = $"arn:aws:iam::{Server.AccountId}:user/retirer",
            Operations = ["Encrypt"],
        });
        Assert.Single((await Owner.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = $"arn:aws:iam::{Server.AccountId}:user/retirer" })).Grants);

        await Errors.ExpectAsync("AccessDeniedException",
            () => Neighbour.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = $"arn:aws:iam::{Server.AccountId}:user/retirer" }));
        await Errors.ExpectAsync("AccessDeniedException",
            () => Neighbour.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = Server.AccountId }));
        await Errors.ExpectAsync("AccessDeniedException",
            () => Neighbour.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = $"arn:aws:iam::{Server.AccountId}:user/retirer".ToUpperInvariant() }));
    }

    [Theory]
    [InlineData("seal")]
    [InlineData("rotate-domain-key")]
    public async Task A_tenant_admin_cannot_take_a_deployment_wide_operator_action(string command)
    {
        var tenant = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = TenantKeyId, ["AWS_SECRET_ACCESS_KEY"] = TenantSecret };

        var refused = await Repo.CofferAsync([command, "--address", Server.Address.ToString()], tenant);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("AccessDeniedException", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("reserved to the deployment's operator account", refused.Stderr, StringComparison.Ordinal);
        Assert.False(Server.App.Keyring.IsSealed);
        await Owner.EncryptAsync(new EncryptRequest { KeyId = Key, Plaintext = new MemoryStream([1]) });
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"share":1}""")]
    [InlineData("""{"share":null}""")]
    [InlineData("not json")]
    [InlineData("""{"reset":"yes"}""")]
    public async Task A_malformed_unseal_body_gets_a_4xx_in_AWS_shape_and_an_audit_event(string body)
    {
        using var http = new HttpClient();
        var before = (await Server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { Limit = 1000 })).Count;

        var response = await http.PostAsync(new Uri(Server.Address, "/sys/unseal"), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("__type", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var events = await Server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { Limit = 1000 });
        Assert.Equal(before + 1, events.Count);
        Assert.Equal("Unseal", events[^1].EventName);
    }

    [Fact]
    public async Task An_unseal_body_that_is_not_UTF8_gets_a_4xx()
    {
        using var http = new HttpClient();
        byte[] body = [.. "{\"share\":\"co"u8, 0xBB, .. "fer-share-v1:AAAA\"}"u8];

        var response = await http.PostAsync(new Uri(Server.Address, "/sys/unseal"), new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
