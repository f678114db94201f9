using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>Grants and policy conditions decide the asymmetric, HMAC and key-agreement operations as they decide symmetric ones.</summary>
public sealed class AsymmetricAccessTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private AmazonKeyManagementServiceClient Admin => fixture.Server.Kms();

    private async Task<string> CreateAsync(string? spec = null, string? usage = null) =>
        (await Admin.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata.Arn;

    private Task<TestUser> NewUserAsync(string? policy = null) =>
        Iam.CreateUserAsync(fixture.Server, $"asym{Random.Shared.Next(100_000, 999_999)}", policy);

    private Task<CreateGrantResponse> GrantAsync(string keyId, TestUser user, params string[] operations) =>
        Admin.CreateGrantAsync(new CreateGrantRequest { KeyId = keyId, GranteePrincipal = user.Arn, Operations = [.. operations.Select(o => new GrantOperation(o))] });

    [Fact]
    public async Task A_grant_allows_signing_and_reading_the_public_key_and_nothing_it_does_not_name()
    {
        var signing = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var user = await NewUserAsync();
        var sign = () => user.Kms.SignAsync(new SignRequest { KeyId = signing, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_256" });
        await Errors.ExpectAsync("AccessDeniedException", sign);

        var grant = await GrantAsync(signing, user, "Sign", "GetPublicKey");
        var signature = (await sign()).Signature.ToArray();
        var publicKey = await user.Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = signing });

        Assert.Equal("ECC_NIST_P256", publicKey.KeySpec.Value);
        await Errors.ExpectAsync("AccessDeniedException", () => user.Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = signing, Message = new MemoryStream([1]), Signature = new MemoryStream(signature), SigningAlgorithm = "ECDSA_SHA_256",
        }));
        await Admin.RevokeGrantAsync(new RevokeGrantRequest { KeyId = signing, GrantId = grant.GrantId });
        await Errors.ExpectAsync("AccessDeniedException", sign);
    }

    [Fact]
    public async Task Grants_allow_MACs_key_agreement_asymmetric_decryption_and_data_key_pairs()
    {
        var hmac = await CreateAsync("HMAC_384", "GENERATE_VERIFY_MAC");
        var agreement = await CreateAsync("ECC_NIST_P384", "KEY_AGREEMENT");
        var rsa = await CreateAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var symmetric = await CreateAsync();
        var user = await NewUserAsync();
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        var rsaBlob = (await Admin.EncryptAsync(new EncryptRequest { KeyId = rsa, Plaintext = new MemoryStream([9]), EncryptionAlgorithm = "RSAES_OAEP_SHA_1" }))
            .CiphertextBlob.ToArray();
        Func<Task<GenerateMacResponse>> mac = () => user.Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac, Message = new MemoryStream([1]), MacAlgorithm = "HMAC_SHA_384" });
        Func<Task<DeriveSharedSecretResponse>> derive = () => user.Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = agreement, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
        });
        Func<Task<DecryptResponse>> decrypt = () => user.Kms.DecryptAsync(new DecryptRequest
        {
            KeyId = rsa, CiphertextBlob = new MemoryStream(rsaBlob), EncryptionAlgorithm = "RSAES_OAEP_SHA_1",
        });
        Func<Task<GenerateDataKeyPairResponse>> pair = () => user.Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric, KeyPairSpec = "ECC_NIST_P256" });
        await Errors.ExpectAsync("AccessDeniedException", mac);
        await Errors.ExpectAsync("AccessDeniedException", derive);
        await Errors.ExpectAsync("AccessDeniedException", decrypt);
        await Errors.ExpectAsync("AccessDeniedException", pair);

        await GrantAsync(hmac, user, "GenerateMac");
        await GrantAsync(agreement, user, "DeriveSharedSecret");
        await GrantAsync(rsa, user, "Decrypt");
        await GrantAsync(symmetric, user, "GenerateDataKeyPair");

        Assert.Equal(48, (await mac()).Mac.Length);
        Assert.Equal(48, (await derive()).SharedSecret.Length);
        Assert.Equal([9], (await decrypt()).Plaintext.ToArray());
        Assert.Equal(symmetric, (await pair()).KeyId);
        await Errors.ExpectAsync("AccessDeniedException", () => user.Kms.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = hmac, Message = new MemoryStream([1]), Mac = new MemoryStream(new byte[48]), MacAlgorithm = "HMAC_SHA_384",
        }));
        await Errors.ExpectAsync("AccessDeniedException",
            () => user.Kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = symmetric, KeyPairSpec = "ECC_NIST_P256" }));
    }

    [Theory]
    [InlineData(null, null, "Sign")]
    [InlineData(null, null, "GetPublicKey")]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT", "GenerateDataKey")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY", "Decrypt")]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC", "GetPublicKey")]
    [InlineData("ECC_NIST_P256", "KEY_AGREEMENT", "Sign")]
    public async Task A_grant_for_an_operation_the_key_cannot_perform_is_refused(string? spec, string? usage, string operation)
    {
        var keyId = await CreateAsync(spec, usage);
        var user = await NewUserAsync();

        await Errors.ExpectAsync("ValidationException", () => GrantAsync(keyId, user, "DescribeKey", operation),
            $"Grant operations [{operation}] are not valid for KMS key {keyId} with key spec {spec ?? "SYMMETRIC_DEFAULT"} and key usage {usage ?? "ENCRYPT_DECRYPT"}.");
        Assert.Empty((await Admin.ListGrantsAsync(new ListGrantsRequest { KeyId = keyId })).Grants);
    }

    [Fact]
    public async Task An_encryption_context_constraint_is_refused_on_a_key_whose_operations_take_no_context()
    {
        var signing = await CreateAsync("RSA_2048", "SIGN_VERIFY");
        var symmetric = await CreateAsync();
        var user = await NewUserAsync();
        var constraints = new Amazon.KeyManagementService.Model.GrantConstraints { EncryptionContextSubset = new() { ["app"] = "billing" } };

        await Errors.ExpectAsync("ValidationException", () => Admin.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = signing, GranteePrincipal = user.Arn, Operations = [GrantOperation.Sign], Constraints = constraints,
        }));
        await Admin.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = symmetric, GranteePrincipal = user.Arn, Operations = [GrantOperation.GenerateDataKeyPair], Constraints = constraints,
        });

        await user.Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest
        {
            KeyId = symmetric, KeyPairSpec = "ECC_NIST_P256", EncryptionContext = new() { ["app"] = "billing" },
        });
        await Errors.ExpectAsync("AccessDeniedException",
            () => user.Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric, KeyPairSpec = "ECC_NIST_P256" }));
    }

    [Fact]
    public async Task The_key_agreement_algorithm_and_the_data_key_pair_spec_are_condition_keys()
    {
        var agreement = await CreateAsync("ECC_NIST_P256", "KEY_AGREEMENT");
        var symmetric = await CreateAsync();
        var user = await NewUserAsync("""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"kms:DeriveSharedSecret","Resource":"*","Condition":{"StringEquals":{"kms:KeyAgreementAlgorithm":"ECDH"}}},
              {"Effect":"Allow","Action":"kms:GenerateDataKeyPair","Resource":"*","Condition":{"StringLike":{"kms:DataKeyPairSpec":"ECC_NIST_*"}}},
              {"Effect":"Deny","Action":"kms:DeriveSharedSecret","Resource":"*","Condition":{"Null":{"kms:KeyAgreementAlgorithm":"true"}}}]}
            """);
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

        var secret = await user.Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = agreement, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
        });
        var pair = await user.Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric, KeyPairSpec = "ECC_NIST_P384" });

        Assert.Equal(32, secret.SharedSecret.Length);
        Assert.Equal("ECC_NIST_P384", pair.KeyPairSpec.Value);
        await Errors.ExpectAsync("AccessDeniedException",
            () => user.Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric, KeyPairSpec = "RSA_2048" }));

        var denied = await NewUserAsync("""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Action":"kms:DeriveSharedSecret","Resource":"*","Condition":{"StringEquals":{"kms:KeyAgreementAlgorithm":"ECDH"}}},
              {"Effect":"Deny","Action":"kms:GenerateDataKeyPairWithoutPlaintext","Resource":"*","Condition":{"StringEquals":{"kms:DataKeyPairSpec":"RSA_4096"}}}]}
            """);
        var refused = await Errors.ExpectAsync("AccessDeniedException", () => denied.Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = agreement, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
        }));
        Assert.EndsWith("with an explicit deny in an identity-based policy", refused.Message, StringComparison.Ordinal);
        await Errors.ExpectAsync("AccessDeniedException",
            () => denied.Kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = symmetric, KeyPairSpec = "RSA_4096" }));
        await denied.Kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = symmetric, KeyPairSpec = "ECC_NIST_P256" });
    }
}
