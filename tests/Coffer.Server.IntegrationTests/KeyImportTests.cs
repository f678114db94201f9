using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Server.IntegrationTests;

public sealed class KeyImportTests : KeyImportTests<OnSqlite>
{
    [Fact]
    public Task Deleted_imported_material_is_nowhere_in_the_data_folder() => DeletedMaterialIsNowhereInTheDataFolderAsync();
}

public sealed class KeyImportTestsOnPostgres : KeyImportTests<OnPostgres>;

/// <summary>
/// Bring-your-own-key through the AWS SDK for .NET, following AWS's documented procedure with
/// OpenSSL doing the client's part: make the material, wrap it under the wrapping public key, import.
/// </summary>
public abstract class KeyImportTests<TEngine> : IAsyncLifetime
    where TEngine : IEngine
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestCoffer _server = null!;

    private AmazonKeyManagementServiceClient Kms => _server.Kms();

    public async Task InitializeAsync() => _server = await TestCoffer.StartAsync(_clock, timersEvery: TimeSpan.FromDays(7), engine: TEngine.Name);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<KeyMetadata> CreateExternalAsync(string? spec = null, string? usage = null) =>
        (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage, Origin = OriginType.EXTERNAL })).KeyMetadata;

    private async Task<GetParametersForImportResponse> ParametersAsync(string keyId, string algorithm = "RSAES_OAEP_SHA_256", string spec = "RSA_2048") =>
        await Kms.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = keyId, WrappingAlgorithm = algorithm, WrappingKeySpec = spec });

    /// <summary>Wraps <paramref name="material"/> with fresh parameters and imports it, as a client following AWS's procedure does.</summary>
    private async Task<ImportKeyMaterialResponse> ImportAsync(string keyId, byte[] material, string algorithm = "RSAES_OAEP_SHA_256", DateTime? validTo = null,
        string? importType = null, string? description = null)
    {
        var parameters = await ParametersAsync(keyId, algorithm);
        var wrapped = await OpenSsl.WrapForImportAsync(parameters.PublicKey.ToArray(), algorithm, material);
        return await Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = new MemoryStream(wrapped),
            ExpirationModel = validTo is null ? ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE : ExpirationModelType.KEY_MATERIAL_EXPIRES,
            ValidTo = validTo,
            ImportType = importType,
            KeyMaterialDescription = description,
        });
    }

    [Theory]
    [InlineData("RSAES_OAEP_SHA_256")]
    [InlineData("RSAES_OAEP_SHA_1")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256")]
    public async Task Symmetric_material_wrapped_by_OpenSSL_imports_encrypts_and_after_deletion_comes_back_by_importing_it_again(string algorithm)
    {
        var key = await CreateExternalAsync();
        Assert.Equal(KeyState.PendingImport, key.KeyState);
        Assert.Equal(OriginType.EXTERNAL, key.Origin);
        await Errors.ExpectAsync("KMSInvalidStateException", () => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) }),
            $"{key.Arn} is pending import.");
        var material = RandomNumberGenerator.GetBytes(32);

        var imported = await ImportAsync(key.KeyId, material, algorithm);
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]) })).CiphertextBlob.ToArray();
        var described = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;

        Assert.Equal(key.Arn, imported.KeyId);
        Assert.Matches("^[0-9a-f]{64}$", imported.KeyMaterialId);
        Assert.Equal(KeyState.Enabled, described.KeyState);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, described.ExpirationModel);
        Assert.Equal(imported.KeyMaterialId, described.CurrentKeyMaterialId);

        var deleted = await Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });
        Assert.Equal(imported.KeyMaterialId, deleted.KeyMaterialId);
        var emptied = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.PendingImport, emptied.KeyState);
        Assert.Null(emptied.ExpirationModel);
        await Errors.ExpectAsync("KMSInvalidStateException", () => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }),
            $"{key.Arn} is pending import.");

        await Errors.ExpectAsync("IncorrectKeyMaterialException", () => ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32)));
        var again = await ImportAsync(key.KeyId, material);
        Assert.Equal(imported.KeyMaterialId, again.KeyMaterialId);
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
        Assert.Equal([1, 2, 3], decrypted.Plaintext.ToArray());
        Assert.Equal(imported.KeyMaterialId, decrypted.KeyMaterialId);
    }

    [Fact]
    public async Task New_material_waits_until_an_on_demand_rotation_makes_it_current_and_each_version_is_deleted_and_restored_on_its_own()
    {
        var key = await CreateExternalAsync();
        var (first, second) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var firstId = (await ImportAsync(key.KeyId, first, description: "from the HSM 2026-11")).KeyMaterialId;
        var before = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) })).CiphertextBlob.ToArray();
        await Errors.ExpectAsync("KMSInvalidStateException", () => Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }),
            $"No available key material pending rotation for the key: {key.Arn}.");

        var secondId = (await ImportAsync(key.KeyId, second, importType: "NEW_KEY_MATERIAL")).KeyMaterialId;
        Assert.NotEqual(firstId, secondId);
        Assert.Equal(firstId, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId);
        Assert.Empty((await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations);
        var waiting = (await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, IncludeKeyMaterial = "ALL_KEY_MATERIAL" })).Rotations;
        Assert.Equal([(firstId, "CURRENT"), (secondId, "PENDING_ROTATION")], waiting.Select(r => (r.KeyMaterialId, r.KeyMaterialState.Value)));
        Assert.Equal(["from the HSM 2026-11", null], waiting.Select(r => r.KeyMaterialDescription));
        Assert.All(waiting, r => Assert.Equal("IMPORTED", r.ImportState.Value));
        var third = await Errors.ExpectAsync("KMSInvalidStateException", () => ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), importType: "NEW_KEY_MATERIAL"));
        Assert.Contains($"because another key material (id: {secondId}) is pending rotation", third.Message, StringComparison.Ordinal);
        await Errors.ExpectAsync("IncorrectKeyMaterialException", () => ImportAsync(key.KeyId, second, importType: "NEW_KEY_MATERIAL"));

        await Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
        var after = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([2]) })).CiphertextBlob.ToArray();
        var rotation = Assert.Single((await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations);
        Assert.Equal((secondId, "CURRENT", "ON_DEMAND"), (rotation.KeyMaterialId, rotation.KeyMaterialState.Value, rotation.RotationType.Value));
        Assert.NotNull(rotation.RotationDate);
        Assert.Equal(secondId, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId);
        Assert.Equal(firstId, (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(before) })).KeyMaterialId);
        Assert.Equal(secondId, (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(after) })).KeyMaterialId);

        var deleted = await Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId, KeyMaterialId = firstId });
        Assert.Equal(firstId, deleted.KeyMaterialId);
        Assert.Equal(KeyState.Enabled, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        await Errors.ExpectAsync("InvalidCiphertextException", () => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(before) }));
        Assert.Equal([2], (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(after) })).Plaintext.ToArray());
        var all = (await Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, IncludeKeyMaterial = "ALL_KEY_MATERIAL" })).Rotations;
        Assert.Equal(["PENDING_IMPORT", "IMPORTED"], all.Select(r => r.ImportState.Value));

        Assert.Equal(firstId, (await ImportAsync(key.KeyId, first)).KeyMaterialId);
        Assert.Equal([1], (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(before) })).Plaintext.ToArray());
        await Errors.ExpectAsync("NotFoundException",
            () => Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId, KeyMaterialId = new string('0', 64) }));
    }

    [Theory]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1", "RSA_4096")]
    [InlineData("RSAES_OAEP_SHA_1", "RSA_3072")]
    public async Task Every_RSA_wrapping_key_size_wraps_material_OpenSSL_encrypts(string algorithm, string wrappingSpec)
    {
        var key = await CreateExternalAsync("HMAC_512", "GENERATE_VERIFY_MAC");
        var hmacKey = RandomNumberGenerator.GetBytes(64);
        var parameters = await ParametersAsync(key.KeyId, algorithm, wrappingSpec);
        var wrapped = await OpenSsl.WrapForImportAsync(parameters.PublicKey.ToArray(), algorithm, hmacKey);

        await Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = parameters.ImportToken, EncryptedKeyMaterial = new MemoryStream(wrapped),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });
        var mac = await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream([5]), MacAlgorithm = "HMAC_SHA_512" });

        Assert.Equal(HMACSHA512.HashData(hmacKey, new byte[] { 5 }), mac.Mac.ToArray());
    }

    [Fact]
    public async Task In_a_China_Region_material_wrapped_with_SM2PKE_imports()
    {
        var kms = _server.Kms("cn-north-1");
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyMetadata.KeyId;
        var parameters = await kms.GetParametersForImportAsync(new GetParametersForImportRequest
        {
            KeyId = keyId, WrappingAlgorithm = "SM2PKE", WrappingKeySpec = "SM2",
        });
        var wrapped = await OpenSsl.EncryptAsync(parameters.PublicKey.ToArray(), "SM2PKE", RandomNumberGenerator.GetBytes(32));

        await kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId, ImportToken = parameters.ImportToken, EncryptedKeyMaterial = new MemoryStream(wrapped),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([3, 1]) })).CiphertextBlob;

        Assert.Equal([3, 1], (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray());
    }

    [Fact]
    public async Task A_key_pair_takes_no_new_material_once_imported()
    {
        var key = await CreateExternalAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var (pkcs8, _, _) = await OpenSsl.GenerateKeyAsync("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
        var (other, _, _) = await OpenSsl.GenerateKeyAsync("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
        await ImportAsync(key.KeyId, pkcs8, "RSA_AES_KEY_WRAP_SHA_256");

        await Errors.ExpectAsync("ValidationException", () => ImportAsync(key.KeyId, other, "RSA_AES_KEY_WRAP_SHA_256", importType: "NEW_KEY_MATERIAL"));
        await Errors.ExpectAsync("IncorrectKeyMaterialException", () => ImportAsync(key.KeyId, other, "RSA_AES_KEY_WRAP_SHA_256"));
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }));
        Assert.Null((await ImportAsync(key.KeyId, pkcs8, "RSA_AES_KEY_WRAP_SHA_256")).KeyMaterialId);
    }

    [Fact]
    public async Task An_imported_RSA_signing_key_is_the_key_OpenSSL_made()
    {
        var key = await CreateExternalAsync("RSA_2048", "SIGN_VERIFY");
        var (pkcs8, spki, _) = await OpenSsl.GenerateKeyAsync("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
        var message = "release 7.1"u8.ToArray();

        await Errors.ExpectAsync("ValidationException", () => ParametersAsync(key.KeyId, "RSAES_OAEP_SHA_256"));
        await ImportAsync(key.KeyId, pkcs8, "RSA_AES_KEY_WRAP_SHA_256");
        var publicKey = (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray();
        var signature = (await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = "RSASSA_PSS_SHA_256" }))
            .Signature.ToArray();

        Assert.Equal(spki, publicKey);
        Assert.True(await OpenSsl.VerifiesAsync(spki, "RSASSA_PSS_SHA_256", message, signature), "OpenSSL refused a signature by the key it made");
        Assert.Null((await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId);
    }

    [Fact]
    public async Task An_imported_EC_key_signs_and_an_imported_HMAC_key_matches_an_independent_HMAC()
    {
        var ec = await CreateExternalAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var (pkcs8, spki, _) = await OpenSsl.GenerateKeyAsync("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
        var hmac = await CreateExternalAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        var hmacKey = RandomNumberGenerator.GetBytes(32);
        var message = "invoice 5521"u8.ToArray();

        await ImportAsync(ec.KeyId, pkcs8, "RSA_AES_KEY_WRAP_SHA_1");
        await ImportAsync(hmac.KeyId, hmacKey, "RSAES_OAEP_SHA_1");
        var signature = (await Kms.SignAsync(new SignRequest { KeyId = ec.KeyId, Message = new MemoryStream(message), SigningAlgorithm = "ECDSA_SHA_256" }))
            .Signature.ToArray();
        var mac = (await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, Message = new MemoryStream(message), MacAlgorithm = "HMAC_SHA_256" }))
            .Mac.ToArray();

        Assert.True(await OpenSsl.VerifiesAsync(spki, "ECDSA_SHA_256", message, signature));
        Assert.Equal(HMACSHA256.HashData(hmacKey, message), mac);
    }

    [Fact]
    public async Task Expiring_material_is_destroyed_when_its_ValidTo_passes_and_importing_it_again_restores_the_key()
    {
        var key = await CreateExternalAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        await ImportAsync(key.KeyId, material, validTo: _clock.GetUtcNow().AddDays(2).UtcDateTime);
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([9]) })).CiphertextBlob.ToArray();
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_EXPIRES, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.ExpirationModel);

        _clock.Advance(TimeSpan.FromDays(1));
        await _server.App.ExpiryJob.RunOnceAsync();
        Assert.Equal(KeyState.Enabled, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await _server.App.ExpiryJob.RunOnceAsync();

        Assert.Equal(KeyState.PendingImport, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        var events = await _server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { EventName = "DeleteExpiredKeyMaterial", Limit = 10 });
        Assert.Single(events);
        await ImportAsync(key.KeyId, material);
        Assert.Equal([9], (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
    }

    [Fact]
    public async Task Import_tokens_and_wrapping_get_AWS_errors()
    {
        var key = await CreateExternalAsync();
        var other = await CreateExternalAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        var parameters = await ParametersAsync(key.KeyId);
        var otherParameters = await ParametersAsync(other.KeyId);
        var wrapped = await OpenSsl.WrapForImportAsync(parameters.PublicKey.ToArray(), "RSAES_OAEP_SHA_256", material);
        Task Import(string keyId, MemoryStream token, byte[] encrypted) => Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId, ImportToken = token, EncryptedKeyMaterial = new MemoryStream(encrypted), ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });

        Assert.True(parameters.ParametersValidTo > DateTime.UtcNow.AddHours(23));
        await Errors.ExpectAsync("InvalidImportTokenException", () => Import(key.KeyId, otherParameters.ImportToken, wrapped));
        await Errors.ExpectAsync("InvalidImportTokenException", () => Import(key.KeyId, new MemoryStream(RandomNumberGenerator.GetBytes(64)), wrapped));
        await Errors.ExpectAsync("InvalidCiphertextException", () => Import(key.KeyId, new MemoryStream(parameters.ImportToken.ToArray()), RandomNumberGenerator.GetBytes(256)));
        var shortMaterial = await OpenSsl.WrapForImportAsync(parameters.PublicKey.ToArray(), "RSAES_OAEP_SHA_256", material[..31]);
        await Errors.ExpectAsync("IncorrectKeyMaterialException", () => Import(key.KeyId, new MemoryStream(parameters.ImportToken.ToArray()), shortMaterial));
        await Errors.ExpectAsync("ValidationException", () => Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(parameters.ImportToken.ToArray()), EncryptedKeyMaterial = new MemoryStream(wrapped),
        }), "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
        await Errors.ExpectAsync("ValidationException", () => Kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId, ImportToken = new MemoryStream(parameters.ImportToken.ToArray()), EncryptedKeyMaterial = new MemoryStream(wrapped),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES, ValidTo = _clock.GetUtcNow().AddDays(366).UtcDateTime,
        }));

        _clock.Advance(TimeSpan.FromHours(25));
        await Errors.ExpectAsync("ExpiredImportTokenException", () => Import(key.KeyId, new MemoryStream(parameters.ImportToken.ToArray()), wrapped));
        Assert.Equal(KeyState.PendingImport, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task Import_operations_refuse_keys_and_parameters_AWS_refuses()
    {
        var generated = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var external = await CreateExternalAsync();

        await Errors.ExpectAsync("UnsupportedOperationException", () => ParametersAsync(generated.KeyId), $"{generated.Arn} origin is AWS_KMS which is not valid for this operation.");
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = generated.KeyId }));
        await Errors.ExpectAsync("ValidationException", () => ParametersAsync(external.KeyId, "RSAES_PKCS1_V1_5"));
        await Errors.ExpectAsync("ValidationException", () => ParametersAsync(external.KeyId, "SM2PKE", "RSA_2048"));
        await Errors.ExpectAsync("UnsupportedOperationException", () => ParametersAsync(external.KeyId, "SM2PKE", "SM2"));
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.CreateKeyAsync(new CreateKeyRequest
        {
            KeySpec = "ML_DSA_65", KeyUsage = "SIGN_VERIFY", Origin = OriginType.EXTERNAL,
        }));
        await Errors.ExpectAsync("KMSInvalidStateException", () => Kms.EnableKeyAsync(new EnableKeyRequest { KeyId = external.KeyId }), $"{external.Arn} is pending import.");
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = external.KeyId }));

        await Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = external.KeyId, PendingWindowInDays = 7 });
        await Errors.ExpectAsync("KMSInvalidStateException", () => ParametersAsync(external.KeyId));
        await Kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = external.KeyId });
        Assert.Equal(KeyState.PendingImport, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = external.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task The_domain_key_rotates_after_imported_material_was_deleted_and_the_material_still_comes_back()
    {
        var key = await CreateExternalAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        await ImportAsync(key.KeyId, material);
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([4]) })).CiphertextBlob.ToArray();
        await Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });
        var admin = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = _server.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = _server.SecretAccessKey };

        var rotation = await Repo.CofferAsync(["rotate-domain-key", "--address", _server.Address.ToString()], admin);

        Assert.True(rotation.ExitCode == 0, rotation.Stderr);
        Assert.Equal(KeyState.PendingImport, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        await ImportAsync(key.KeyId, material);
        Assert.Equal([4], (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
    }

    [Fact]
    public async Task Two_first_imports_of_different_material_at_once_end_with_one_winner()
    {
        var key = await CreateExternalAsync();
        var (a, b) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

        var outcomes = await Task.WhenAll(Attempt(a), Attempt(b));

        var winner = Assert.Single(outcomes, o => o.Id is not null);
        Assert.Contains(Assert.Single(outcomes, o => o.Id is null).Error, new[] { "ConflictException", "IncorrectKeyMaterialException" });
        Assert.Equal(winner.Id, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId);
        var blob = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([8]) })).CiphertextBlob;
        Assert.Equal([8], (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray());

        async Task<(string? Id, string? Error)> Attempt(byte[] material)
        {
            try
            {
                return ((await ImportAsync(key.KeyId, material)).KeyMaterialId, null);
            }
            catch (AmazonKeyManagementServiceException error)
            {
                return (null, error.ErrorCode);
            }
        }
    }

    [Fact]
    public async Task Deleting_material_leaves_a_key_pending_deletion_and_a_disabled_key_takes_no_import()
    {
        var key = await CreateExternalAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        await ImportAsync(key.KeyId, material);
        await Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        await Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });

        Assert.Equal(KeyState.PendingDeletion, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        await Kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });
        await ImportAsync(key.KeyId, material);
        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        await Errors.ExpectAsync("DisabledException", () => ImportAsync(key.KeyId, material), $"{key.Arn} is disabled.");
        Assert.Equal(KeyState.Disabled, (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    /// <summary>SQLite only: PostgreSQL keeps dead row versions until VACUUM (docs/operations.md, Crypto-shredding).</summary>
    protected async Task DeletedMaterialIsNowhereInTheDataFolderAsync()
    {
        var key = await CreateExternalAsync();
        await ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));
        var probe = StoreFiles.SealedMaterialOf(_server, key.KeyId)[^32..];
        Assert.True(StoreFiles.Contains(_server, probe), "the sealed material should be found before deletion, or this test proves nothing");

        await Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });

        Assert.False(StoreFiles.Contains(_server, probe), "the deleted material's sealed bytes are still on disk");
    }
}
