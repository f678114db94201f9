using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public sealed class CryptoOperationTests(ServerFixture<OnSqlite> fixture) : CryptoOperationTests<OnSqlite>(fixture);

public sealed class CryptoOperationTestsOnPostgres(ServerFixture<OnPostgres> fixture) : CryptoOperationTests<OnPostgres>(fixture);

public abstract class CryptoOperationTests<TEngine>(ServerFixture<TEngine> fixture) : IClassFixture<ServerFixture<TEngine>>
    where TEngine : IEngine
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Server.Kms();
    private static readonly Dictionary<string, string> Context = new() { ["tenant"] = "acme", ["purpose"] = "tests" };

    private string Arn(string keyId) => $"arn:aws:kms:us-east-1:{fixture.Server.AccountId}:key/{keyId}";

    // The SDK's analyzers reject out-of-range constants at compile time; the server must see them.
    private static int Unchecked(int value) => value;

    private async Task<string> NewKeyAsync() => (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

    private async Task<byte[]> EncryptAsync(string keyId, byte[] plaintext, Dictionary<string, string>? context = null) =>
        (await _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext), EncryptionContext = context })).CiphertextBlob.ToArray();

    [Fact]
    public async Task Encrypt_then_Decrypt_without_a_key_id_returns_the_plaintext_and_the_key_arn()
    {
        var keyId = await NewKeyAsync();
        var plaintext = RandomNumberGenerator.GetBytes(100);

        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext), EncryptionContext = Context });
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = Context });

        Assert.Equal(Arn(keyId), encrypted.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, encrypted.EncryptionAlgorithm);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(Arn(keyId), decrypted.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, decrypted.EncryptionAlgorithm);
    }

    [Fact]
    public async Task Decrypt_with_the_right_key_id_succeeds_and_with_another_key_is_IncorrectKey()
    {
        var keyId = await NewKeyAsync();
        var otherKey = await NewKeyAsync();
        var blob = await EncryptAsync(keyId, [9, 9]);

        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), KeyId = Arn(keyId) });
        Assert.Equal([9, 9], decrypted.Plaintext.ToArray());

        await Errors.ExpectAsync("IncorrectKeyException", () => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), KeyId = otherKey }),
            "The key ID in the request does not identify a CMK that can perform this operation.");
    }

    [Fact]
    public async Task Encrypt_through_an_alias_names_the_aliased_key()
    {
        var keyId = await NewKeyAsync();
        var alias = $"alias/crypto-{Guid.NewGuid():N}";
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = keyId });

        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream([1]) });

        Assert.Equal(Arn(keyId), encrypted.KeyId);
    }

    [Fact]
    public async Task A_wrong_or_missing_encryption_context_is_InvalidCiphertext()
    {
        var keyId = await NewKeyAsync();
        var blob = await EncryptAsync(keyId, [1, 2, 3], Context);

        await Errors.ExpectAsync("InvalidCiphertextException", () => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
        await Errors.ExpectAsync("InvalidCiphertextException", () => _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(blob),
            EncryptionContext = new Dictionary<string, string> { ["tenant"] = "other", ["purpose"] = "tests" },
        }));
        await Errors.ExpectAsync("InvalidCiphertextException", () => _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(blob),
            EncryptionContext = new Dictionary<string, string> { ["tenant"] = "acme" },
        }));
    }

    [Fact]
    public async Task Changing_any_byte_of_a_ciphertext_is_InvalidCiphertext_never_a_server_error()
    {
        var keyId = await NewKeyAsync();
        var blob = await EncryptAsync(keyId, RandomNumberGenerator.GetBytes(16));

        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x20;
            await Errors.ExpectAsync("InvalidCiphertextException", () => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(tampered) }));
        }

        await Errors.ExpectAsync("InvalidCiphertextException", () => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob[..^1]) }));
        await Errors.ExpectAsync("InvalidCiphertextException", () => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream([1, 2, 3]) }));
        await Errors.ExpectAsync("InvalidCiphertextException", () => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(RandomNumberGenerator.GetBytes(200)) }));
    }

    [Fact]
    public async Task Plaintext_of_4096_bytes_is_accepted_and_4097_is_AWS_validation_error()
    {
        var keyId = await NewKeyAsync();
        var largest = RandomNumberGenerator.GetBytes(4096);

        var blob = await EncryptAsync(keyId, largest);
        Assert.Equal(largest, (await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());

        await Errors.ExpectAsync("ValidationException", () => EncryptAsync(keyId, new byte[4097]),
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    }

    [Fact]
    public async Task ReEncrypt_moves_a_ciphertext_to_another_key_and_context()
    {
        var source = await NewKeyAsync();
        var destination = await NewKeyAsync();
        var plaintext = RandomNumberGenerator.GetBytes(48);
        var blob = await EncryptAsync(source, plaintext, Context);
        var newContext = new Dictionary<string, string> { ["moved"] = "yes" };

        var reEncrypted = await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(blob),
            SourceEncryptionContext = Context,
            DestinationKeyId = destination,
            DestinationEncryptionContext = newContext,
        });

        Assert.Equal(Arn(source), reEncrypted.SourceKeyId);
        Assert.Equal(Arn(destination), reEncrypted.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, reEncrypted.SourceEncryptionAlgorithm);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, reEncrypted.DestinationEncryptionAlgorithm);
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = reEncrypted.CiphertextBlob, EncryptionContext = newContext });
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(Arn(destination), decrypted.KeyId);
    }

    [Fact]
    public async Task ReEncrypt_fails_on_a_wrong_source_context_or_a_disabled_destination()
    {
        var source = await NewKeyAsync();
        var destination = await NewKeyAsync();
        var blob = await EncryptAsync(source, [5], Context);

        await Errors.ExpectAsync("InvalidCiphertextException",
            () => _kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(blob), DestinationKeyId = destination }));

        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = destination });
        await Errors.ExpectAsync("DisabledException", () => _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(blob),
            SourceEncryptionContext = Context,
            DestinationKeyId = destination,
        }), $"{Arn(destination)} is disabled.");
    }

    [Theory]
    [InlineData("AES_256", 32)]
    [InlineData("AES_128", 16)]
    public async Task GenerateDataKey_by_key_spec_returns_a_key_that_decrypts_to_itself(string spec, int size)
    {
        var keyId = await NewKeyAsync();

        var dataKey = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = spec, EncryptionContext = Context });

        Assert.Equal(size, dataKey.Plaintext.Length);
        Assert.Equal(Arn(keyId), dataKey.KeyId);
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob, EncryptionContext = Context });
        Assert.Equal(dataKey.Plaintext.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task GenerateDataKey_by_number_of_bytes_gives_fresh_keys_each_time()
    {
        var keyId = await NewKeyAsync();

        var first = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 64 });
        var second = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 64 });

        Assert.Equal(64, first.Plaintext.Length);
        Assert.NotEqual(first.Plaintext.ToArray(), second.Plaintext.ToArray());
    }

    [Fact]
    public async Task GenerateDataKey_needs_exactly_one_of_key_spec_and_number_of_bytes()
    {
        var keyId = await NewKeyAsync();
        const string message = "Please specify either number of bytes or key spec.";

        await Errors.ExpectAsync("ValidationException", () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId }), message);
        await Errors.ExpectAsync("ValidationException",
            () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256, NumberOfBytes = 32 }), message);
        await Errors.ExpectAsync("ValidationException", () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = Unchecked(1025) }),
            "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
    }

    [Fact]
    public async Task GenerateDataKeyWithoutPlaintext_returns_only_the_encrypted_key()
    {
        var keyId = await NewKeyAsync();

        var dataKey = await _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 });

        Assert.Equal(Arn(keyId), dataKey.KeyId);
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob });
        Assert.Equal(32, decrypted.Plaintext.Length);
    }

    [Fact]
    public async Task GenerateRandom_returns_the_bytes_asked_for_within_AWS_limits()
    {
        var first = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1024 });
        var second = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1024 });

        Assert.Equal(1024, first.Plaintext.Length);
        Assert.NotEqual(first.Plaintext.ToArray(), second.Plaintext.ToArray());
        await Errors.ExpectAsync("ValidationException", () => _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = Unchecked(0) }),
            "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1");
        await Errors.ExpectAsync("ValidationException", () => _kms.GenerateRandomAsync(new GenerateRandomRequest()), "NumberOfBytes is required.");
    }

    [Fact]
    public async Task An_asymmetric_algorithm_on_a_symmetric_key_is_InvalidKeyUsage()
    {
        var keyId = await NewKeyAsync();

        await Errors.ExpectAsync("InvalidKeyUsageException", () => _kms.EncryptAsync(new EncryptRequest
        {
            KeyId = keyId,
            Plaintext = new MemoryStream([1]),
            EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256,
        }));
    }

    [Fact]
    public async Task DryRun_checks_the_request_and_answers_DryRunOperation()
    {
        var keyId = await NewKeyAsync();

        var error = await Errors.ExpectAsync("DryRunOperationException",
            () => _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1]), DryRun = true }),
            "The request would have succeeded, but the DryRun option is set.");
        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, error.StatusCode);

        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        await Errors.ExpectAsync("DisabledException", () => _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1]), DryRun = true }));
    }
}
