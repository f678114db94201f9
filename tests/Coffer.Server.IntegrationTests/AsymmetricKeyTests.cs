using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public sealed class AsymmetricKeyTests(ServerFixture<OnSqlite> fixture) : AsymmetricKeyTests<OnSqlite>(fixture);

public sealed class AsymmetricKeyTestsOnPostgres(ServerFixture<OnPostgres> fixture) : AsymmetricKeyTests<OnPostgres>(fixture);

/// <summary>Signing and HMAC keys through the AWS SDK for .NET, each signature checked independently by OpenSSL.</summary>
public abstract class AsymmetricKeyTests<TEngine>(ServerFixture<TEngine> fixture) : IClassFixture<ServerFixture<TEngine>>
    where TEngine : IEngine
{
    private AmazonKeyManagementServiceClient Kms => fixture.Server.Kms();

    private string Arn(string keyId) => $"arn:aws:kms:us-east-1:{fixture.Server.AccountId}:key/{keyId}";

    private async Task<string> CreateAsync(string spec, string usage) =>
        (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata.KeyId;

    [Theory]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256")]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256")]
    [InlineData("RSA_3072", "RSASSA_PSS_SHA_384")]
    [InlineData("RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512")]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_384")]
    [InlineData("ECC_NIST_P521", "ECDSA_SHA_512")]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_SHA_512")]
    public async Task A_signature_Coffer_makes_verifies_in_OpenSSL_with_the_public_key_it_gives_out(string spec, string algorithm)
    {
        var keyId = await CreateAsync(spec, "SIGN_VERIFY");
        var message = RandomNumberGenerator.GetBytes(300);

        var publicKey = await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = keyId });
        var signed = await Kms.SignAsync(new SignRequest { KeyId = keyId, Message = new MemoryStream(message), SigningAlgorithm = algorithm, MessageType = "RAW" });

        Assert.Equal(spec, publicKey.KeySpec.Value);
        Assert.Equal("SIGN_VERIFY", publicKey.KeyUsage.Value);
        Assert.Contains(algorithm, publicKey.SigningAlgorithms);
        Assert.True(publicKey.EncryptionAlgorithms is null or { Count: 0 }, "a signing key lists no encryption algorithms");
        Assert.True(await OpenSsl.VerifiesAsync(publicKey.PublicKey.ToArray(), algorithm, message, signed.Signature.ToArray()),
            $"OpenSSL refused Coffer's {algorithm} signature");
        Assert.False(await OpenSsl.VerifiesAsync(publicKey.PublicKey.ToArray(), algorithm, [.. message, 1], signed.Signature.ToArray()));
        var verified = await Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream(message), Signature = new MemoryStream(signed.Signature.ToArray()), SigningAlgorithm = algorithm,
        });
        Assert.True(verified.SignatureValid);
    }

    [Fact]
    public async Task A_digest_is_signed_as_the_message_it_stands_for()
    {
        var keyId = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var message = "pay 10 to bob"u8.ToArray();
        var publicKey = (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = keyId })).PublicKey.ToArray();

        var signed = await Kms.SignAsync(new SignRequest
        {
            KeyId = keyId, Message = new MemoryStream(SHA256.HashData(message)), MessageType = "DIGEST", SigningAlgorithm = "ECDSA_SHA_256",
        });

        Assert.True(await OpenSsl.VerifiesAsync(publicKey, "ECDSA_SHA_256", message, signed.Signature.ToArray()));
        await Errors.ExpectAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = keyId, Message = new MemoryStream(new byte[31]), MessageType = "DIGEST", SigningAlgorithm = "ECDSA_SHA_256",
        }), "Digest is invalid length for algorithm ECDSA_SHA_256.");
    }

    [Fact]
    public async Task A_bad_signature_is_KMSInvalidSignatureException()
    {
        var keyId = await CreateAsync("RSA_2048", "SIGN_VERIFY");
        var signed = await Kms.SignAsync(new SignRequest { KeyId = keyId, Message = new MemoryStream([1, 2, 3]), SigningAlgorithm = "RSASSA_PSS_SHA_256" });
        var tampered = signed.Signature.ToArray();
        tampered[10] ^= 1;

        await Errors.ExpectAsync("KMSInvalidSignatureException", () => Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream([1, 2, 3]), Signature = new MemoryStream(tampered), SigningAlgorithm = "RSASSA_PSS_SHA_256",
        }));
        await Errors.ExpectAsync("KMSInvalidSignatureException", () => Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream([1, 2, 3]), Signature = new MemoryStream(new byte[7]), SigningAlgorithm = "RSASSA_PSS_SHA_256",
        }));
    }

    [Fact]
    public async Task Keys_refuse_what_their_spec_and_usage_do_not_allow()
    {
        var signing = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var hmac = await CreateAsync("HMAC_256", "GENERATE_VERIFY_MAC");

        await Errors.ExpectAsync("InvalidKeyUsageException",
            () => Kms.SignAsync(new SignRequest { KeyId = signing, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_384" }));
        await Errors.ExpectAsync("InvalidKeyUsageException",
            () => Kms.SignAsync(new SignRequest { KeyId = symmetric, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_256" }));
        await Errors.ExpectAsync("InvalidKeyUsageException", () => Kms.EncryptAsync(new EncryptRequest { KeyId = signing, Plaintext = new MemoryStream([1]) }));
        await Errors.ExpectAsync("InvalidKeyUsageException", () => Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = hmac, NumberOfBytes = 16 }));
        await Errors.ExpectAsync("InvalidKeyUsageException",
            () => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = signing, Message = new MemoryStream([1]), MacAlgorithm = "HMAC_SHA_256" }));
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = symmetric }));
        await Errors.ExpectAsync("UnsupportedOperationException", () => Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = hmac }));
        await Errors.ExpectAsync("ValidationException", () => Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "ECC_NIST_P256", KeyUsage = "ENCRYPT_DECRYPT" }),
            "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256");
        await Errors.ExpectAsync("ValidationException", () => Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "ECC_SECG_P256K1", KeyUsage = "KEY_AGREEMENT" }));
        await Errors.ExpectAsync("ValidationException", () => Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "RSA_2048" }));
    }

    [Fact]
    public async Task DescribeKey_lists_only_the_algorithms_of_the_key_usage()
    {
        var signing = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = await CreateAsync("RSA_2048", "SIGN_VERIFY") })).KeyMetadata;
        var hmac = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = await CreateAsync("HMAC_384", "GENERATE_VERIFY_MAC") })).KeyMetadata;

        Assert.Equal(6, signing.SigningAlgorithms.Count);
        Assert.True(signing.EncryptionAlgorithms is null or { Count: 0 }, "a signing key lists no encryption algorithms");
        Assert.Equal(["HMAC_SHA_384"], hmac.MacAlgorithms);
        Assert.True(hmac.SigningAlgorithms is null or { Count: 0 }, "an HMAC key lists no signing algorithms");
        Assert.Equal("HMAC_384", hmac.KeySpec.Value);
    }

    [Theory]
    [InlineData("HMAC_224", "HMAC_SHA_224")]
    [InlineData("HMAC_256", "HMAC_SHA_256")]
    [InlineData("HMAC_384", "HMAC_SHA_384")]
    [InlineData("HMAC_512", "HMAC_SHA_512")]
    public async Task A_MAC_verifies_under_its_key_and_nothing_else_does(string spec, string algorithm)
    {
        var keyId = await CreateAsync(spec, "GENERATE_VERIFY_MAC");
        var other = await CreateAsync(spec, "GENERATE_VERIFY_MAC");
        var message = RandomNumberGenerator.GetBytes(100);

        var mac = (await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = keyId, Message = new MemoryStream(message), MacAlgorithm = algorithm })).Mac.ToArray();
        var again = (await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = keyId, Message = new MemoryStream(message), MacAlgorithm = algorithm })).Mac.ToArray();

        Assert.Equal(int.Parse(spec[5..], System.Globalization.CultureInfo.InvariantCulture) / 8, mac.Length);
        Assert.Equal(mac, again);
        Assert.True((await Kms.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = keyId, Message = new MemoryStream(message), MacAlgorithm = algorithm, Mac = new MemoryStream(mac),
        })).MacValid);
        await Errors.ExpectAsync("KMSInvalidMacException", () => Kms.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = other, Message = new MemoryStream(message), MacAlgorithm = algorithm, Mac = new MemoryStream(mac),
        }));
        await Errors.ExpectAsync("InvalidKeyUsageException", () => Kms.GenerateMacAsync(new GenerateMacRequest
        {
            KeyId = keyId, Message = new MemoryStream(message), MacAlgorithm = algorithm == "HMAC_SHA_512" ? "HMAC_SHA_256" : "HMAC_SHA_512",
        }));
    }

    [Fact]
    public async Task A_Sign_event_never_carries_the_message()
    {
        var keyId = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var marker = "do-not-log-this-message"u8.ToArray();

        await Kms.SignAsync(new SignRequest { KeyId = keyId, Message = new MemoryStream(marker), SigningAlgorithm = "ECDSA_SHA_256" });

        var events = await fixture.Server.App.Audit.Store.QueryAsync(new Storage.AuditFilter { Limit = 1000 });
        var sign = events.Last(e => e.EventName == "Sign");
        Assert.DoesNotContain(Convert.ToBase64String(marker), sign.Json, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(sign.Json);
        var parameters = json.RootElement.GetProperty("requestParameters");
        Assert.Equal("ECDSA_SHA_256", parameters.GetProperty("signingAlgorithm").GetString());
        Assert.False(parameters.TryGetProperty("message", out _));
    }

    [Theory]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_256", 190)]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_1", 214)]
    [InlineData("RSA_3072", "RSAES_OAEP_SHA_256", 318)]
    [InlineData("RSA_4096", "RSAES_OAEP_SHA_1", 470)]
    public async Task A_ciphertext_OpenSSL_makes_with_the_public_key_decrypts_in_Coffer(string spec, string algorithm, int maxPlaintext)
    {
        var keyId = await CreateAsync(spec, "ENCRYPT_DECRYPT");
        var publicKey = await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = keyId });
        var plaintext = RandomNumberGenerator.GetBytes(maxPlaintext);

        var ciphertext = await OpenSsl.EncryptAsync(publicKey.PublicKey.ToArray(), algorithm, plaintext);
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = keyId, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = algorithm });
        var viaCoffer = await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext), EncryptionAlgorithm = algorithm });
        var roundTrip = await Kms.DecryptAsync(new DecryptRequest { KeyId = keyId, CiphertextBlob = viaCoffer.CiphertextBlob, EncryptionAlgorithm = algorithm });

        Assert.Contains(algorithm, publicKey.EncryptionAlgorithms);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(algorithm, decrypted.EncryptionAlgorithm.Value);
        Assert.Equal(algorithm, viaCoffer.EncryptionAlgorithm.Value);
        Assert.Equal(plaintext, roundTrip.Plaintext.ToArray());
        await Errors.ExpectAsync("ValidationException", () => Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = keyId, Plaintext = new MemoryStream(new byte[maxPlaintext + 1]), EncryptionAlgorithm = algorithm,
        }), $"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {maxPlaintext} bytes.");
    }

    [Fact]
    public async Task An_asymmetric_encryption_key_gets_AWS_errors_for_what_it_cannot_do()
    {
        var keyId = await CreateAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var ciphertext = (await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1, 2, 3]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }))
            .CiphertextBlob.ToArray();

        await Errors.ExpectAsync("InvalidKeyUsageException", () => Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1]) }),
            "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.");
        await Errors.ExpectAsync("ValidationException", () => Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = keyId, Plaintext = new MemoryStream([1]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256", EncryptionContext = new() { ["a"] = "b" },
        }), "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.");
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await Errors.ExpectAsync("InvalidKeyUsageException", () => Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = symmetric, Plaintext = new MemoryStream([1]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256",
        }), "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.");
        await Errors.ExpectAsync("InvalidCiphertextException", () => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) }));
        await Errors.ExpectAsync("InvalidCiphertextException", () => Kms.DecryptAsync(new DecryptRequest
        {
            KeyId = keyId, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = "RSAES_OAEP_SHA_1",
        }));
        await Errors.ExpectAsync("InvalidKeyUsageException", () => Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 32 }));
        await Errors.ExpectAsync("InvalidKeyUsageException",
            () => Kms.SignAsync(new SignRequest { KeyId = keyId, Message = new MemoryStream([1]), SigningAlgorithm = "RSASSA_PSS_SHA_256" }));
    }

    [Theory]
    [InlineData("ECC_NIST_P256", "nistP256")]
    [InlineData("ECC_NIST_P384", "nistP384")]
    [InlineData("ECC_NIST_P521", "nistP521")]
    public async Task DeriveSharedSecret_agrees_with_the_peer_s_own_ECDH(string spec, string curve)
    {
        var keyId = await CreateAsync(spec, "KEY_AGREEMENT");
        var kmsPublic = (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = keyId })).PublicKey.ToArray();
        using var peer = ECDiffieHellman.Create(ECCurve.CreateFromFriendlyName(curve));
        using var kmsSide = ECDiffieHellman.Create();
        kmsSide.ImportSubjectPublicKeyInfo(kmsPublic, out _);

        var derived = await Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = keyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
        });

        Assert.Equal(peer.DeriveRawSecretAgreement(kmsSide.PublicKey), derived.SharedSecret.ToArray());
        Assert.Equal(await OpenSsl.DeriveAsync(peer.ExportPkcs8PrivateKeyPem(), kmsPublic), derived.SharedSecret.ToArray());
        Assert.Equal("ECDH", derived.KeyAgreementAlgorithm.Value);
        await Errors.ExpectAsync("ValidationException", () => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = keyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(RandomNumberGenerator.GetBytes(91)),
        }));
        using var otherCurve = ECDiffieHellman.Create(ECCurve.CreateFromFriendlyName(curve == "nistP256" ? "nistP384" : "nistP256"));
        await Errors.ExpectAsync("ValidationException", () => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = keyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(otherCurve.ExportSubjectPublicKeyInfo()),
        }));
        var signing = await CreateAsync(spec, "SIGN_VERIFY");
        await Errors.ExpectAsync("InvalidKeyUsageException", () => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest
        {
            KeyId = signing, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()),
        }));
    }

    [Theory]
    [InlineData("RSA_2048")]
    [InlineData("ECC_NIST_P256")]
    [InlineData("ECC_SECG_P256K1")]
    public async Task GenerateDataKeyPair_returns_a_pair_whose_private_half_decrypts_back_under_the_KMS_key(string spec)
    {
        var keyId = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var context = new Dictionary<string, string> { ["purpose"] = "client-signing" };

        var pair = await Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = spec, EncryptionContext = context });
        var withoutPlaintext = await Kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = keyId, KeyPairSpec = spec });
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob, EncryptionContext = context });

        var privateKey = pair.PrivateKeyPlaintext.ToArray();
        Assert.Equal(privateKey, decrypted.Plaintext.ToArray());
        using AsymmetricAlgorithm imported = spec.StartsWith("RSA", StringComparison.Ordinal) ? RSA.Create() : ECDsa.Create();
        imported.ImportPkcs8PrivateKey(privateKey, out _);
        Assert.Equal(pair.PublicKey.ToArray(), imported.ExportSubjectPublicKeyInfo());
        Assert.Equal(spec, pair.KeyPairSpec.Value);
        Assert.NotEmpty(withoutPlaintext.PublicKey.ToArray());
        var raw = await fixture.Server.Raw().SendAsync("GenerateDataKeyPairWithoutPlaintext", $$"""{"KeyId":"{{keyId}}","KeyPairSpec":"{{spec}}"}""");
        Assert.Equal(200, raw.Status);
        Assert.DoesNotContain("PrivateKeyPlaintext", raw.Body, StringComparison.Ordinal);
        await Errors.ExpectAsync("UnsupportedOperationException",
            () => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = "SM2" }));
        await Errors.ExpectAsync("DryRunOperationException",
            () => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = spec, DryRun = true }));
    }

    [Fact]
    public async Task ReEncrypt_moves_a_ciphertext_between_RSA_and_symmetric_keys_both_ways()
    {
        var rsa = await CreateAsync("RSA_3072", "ENCRYPT_DECRYPT");
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var publicKey = (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = rsa })).PublicKey.ToArray();
        var plaintext = RandomNumberGenerator.GetBytes(64);
        var fromOpenSsl = await OpenSsl.EncryptAsync(publicKey, "RSAES_OAEP_SHA_256", plaintext);

        var toSymmetric = await Kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(fromOpenSsl), SourceKeyId = rsa, SourceEncryptionAlgorithm = "RSAES_OAEP_SHA_256", DestinationKeyId = symmetric,
        });
        var backToRsa = await Kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = toSymmetric.CiphertextBlob, DestinationKeyId = rsa, DestinationEncryptionAlgorithm = "RSAES_OAEP_SHA_1",
        });
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = rsa, CiphertextBlob = backToRsa.CiphertextBlob, EncryptionAlgorithm = "RSAES_OAEP_SHA_1" });

        Assert.Equal("RSAES_OAEP_SHA_256", toSymmetric.SourceEncryptionAlgorithm.Value);
        Assert.Equal("SYMMETRIC_DEFAULT", toSymmetric.DestinationEncryptionAlgorithm.Value);
        Assert.Equal("RSAES_OAEP_SHA_1", backToRsa.DestinationEncryptionAlgorithm.Value);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        await Errors.ExpectAsync("InvalidKeyUsageException", () => Kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = toSymmetric.CiphertextBlob, DestinationKeyId = rsa,
        }), "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072.");
    }

    [Theory]
    [InlineData("ML_DSA_44", "ML_DSA_SHAKE_256", "RAW")]
    [InlineData("ML_DSA_65", "ML_DSA_SHAKE_256", "RAW")]
    [InlineData("ML_DSA_87", "ML_DSA_SHAKE_256", "RAW")]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "DIGEST")]
    public async Task Post_quantum_and_prehashed_Edwards_signatures_verify_and_a_changed_message_does_not(string spec, string algorithm, string messageType)
    {
        // OpenSSL 3.0 has neither; the crypto layer checks both against published vectors (Wycheproof, RFC 8032).
        var keyId = await CreateAsync(spec, "SIGN_VERIFY");
        var message = messageType == "DIGEST" ? SHA512.HashData("firmware 4.2"u8) : RandomNumberGenerator.GetBytes(500);
        var other = messageType == "DIGEST" ? SHA512.HashData("firmware 4.3"u8) : [.. message[..^1], (byte)(message[^1] ^ 1)];

        var signature = (await Kms.SignAsync(new SignRequest { KeyId = keyId, Message = new MemoryStream(message), MessageType = messageType, SigningAlgorithm = algorithm }))
            .Signature.ToArray();

        Assert.True((await Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream(message), MessageType = messageType, Signature = new MemoryStream(signature), SigningAlgorithm = algorithm,
        })).SignatureValid);
        await Errors.ExpectAsync("KMSInvalidSignatureException", () => Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream(other), MessageType = messageType, Signature = new MemoryStream(signature), SigningAlgorithm = algorithm,
        }));
        var wrongType = messageType == "RAW" ? "DIGEST" : "RAW";
        await Errors.ExpectAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = keyId, Message = new MemoryStream(message), MessageType = wrongType, SigningAlgorithm = algorithm,
        }), $"Message type {wrongType} is incompatible with key spec {spec}.");
    }

    [Theory]
    [InlineData("ML_DSA_44")]
    [InlineData("ML_DSA_87")]
    public async Task An_EXTERNAL_MU_signature_is_a_signature_of_the_message_mu_was_computed_from(string spec)
    {
        var keyId = await CreateAsync(spec, "SIGN_VERIFY");
        var message = RandomNumberGenerator.GetBytes(5000);
        var spki = (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = keyId })).PublicKey.ToArray();
        var mu = ExternalMu(spki, message);

        var signature = (await Kms.SignAsync(new SignRequest
        {
            KeyId = keyId, Message = new MemoryStream(mu), MessageType = "EXTERNAL_MU", SigningAlgorithm = "ML_DSA_SHAKE_256",
        })).Signature.ToArray();

        // EXTERNAL_MU is how a message longer than RAW's 4096 bytes is signed.
        Assert.True((await Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream(mu), MessageType = "EXTERNAL_MU", Signature = new MemoryStream(signature), SigningAlgorithm = "ML_DSA_SHAKE_256",
        })).SignatureValid);
        // The μ computed here is the one Coffer computes for RAW: a RAW signature verifies as EXTERNAL_MU.
        var shortMessage = message[..4096];
        var rawSignature = (await Kms.SignAsync(new SignRequest
        {
            KeyId = keyId, Message = new MemoryStream(shortMessage), MessageType = "RAW", SigningAlgorithm = "ML_DSA_SHAKE_256",
        })).Signature.ToArray();
        Assert.True((await Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream(ExternalMu(spki, shortMessage)), MessageType = "EXTERNAL_MU", Signature = new MemoryStream(rawSignature),
            SigningAlgorithm = "ML_DSA_SHAKE_256",
        })).SignatureValid);
        await Errors.ExpectAsync("KMSInvalidSignatureException", () => Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream(ExternalMu(spki, [.. shortMessage[..^1], 0])), MessageType = "EXTERNAL_MU",
            Signature = new MemoryStream(rawSignature), SigningAlgorithm = "ML_DSA_SHAKE_256",
        }));
        await Errors.ExpectAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = keyId, Message = new MemoryStream(mu[..32]), MessageType = "EXTERNAL_MU", SigningAlgorithm = "ML_DSA_SHAKE_256",
        }), "Digest is invalid length for algorithm ML_DSA_SHAKE_256.");
        var ecdsa = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        await Errors.ExpectAsync("ValidationException", () => Kms.SignAsync(new SignRequest
        {
            KeyId = ecdsa, Message = new MemoryStream(mu), MessageType = "EXTERNAL_MU", SigningAlgorithm = "ECDSA_SHA_256",
        }), "Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_P256.");
    }

    /// <summary>FIPS 204's μ = SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64) for the pure, context-free signature AWS makes, computed here from the public key Coffer gives out.</summary>
    private static byte[] ExternalMu(byte[] spki, byte[] message)
    {
        var publicKey = Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo.GetInstance(spki).PublicKey.GetOctets();
        var tr = new byte[64];
        var shake = new Org.BouncyCastle.Crypto.Digests.ShakeDigest(256);
        shake.BlockUpdate(publicKey, 0, publicKey.Length);
        shake.OutputFinal(tr, 0, tr.Length);
        var mu = new byte[64];
        shake.BlockUpdate(tr, 0, tr.Length);
        shake.BlockUpdate([0, 0], 0, 2);
        shake.BlockUpdate(message, 0, message.Length);
        shake.OutputFinal(mu, 0, mu.Length);
        return mu;
    }

    [Fact]
    public async Task SM2_keys_in_a_China_Region_sign_and_decrypt_as_OpenSSL_expects()
    {
        var kms = fixture.Server.Kms("cn-north-1");
        var signing = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "SM2", KeyUsage = "SIGN_VERIFY" })).KeyMetadata.KeyId;
        var encrypting = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "SM2", KeyUsage = "ENCRYPT_DECRYPT" })).KeyMetadata.KeyId;
        var message = "transfer 100 CNY"u8.ToArray();

        var signingKey = (await kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = signing })).PublicKey.ToArray();
        var signature = (await kms.SignAsync(new SignRequest { KeyId = signing, Message = new MemoryStream(message), SigningAlgorithm = "SM2DSA" })).Signature.ToArray();
        var encryptingKey = await kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = encrypting });
        var ciphertext = await OpenSsl.EncryptAsync(encryptingKey.PublicKey.ToArray(), "SM2PKE", message);
        var decrypted = await kms.DecryptAsync(new DecryptRequest { KeyId = encrypting, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = "SM2PKE" });

        Assert.True(await OpenSsl.VerifiesAsync(signingKey, "SM2DSA", message, signature), "OpenSSL refused Coffer's SM2DSA signature");
        Assert.Equal(["SM2PKE"], encryptingKey.EncryptionAlgorithms);
        Assert.Equal(message, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task Key_states_apply_to_signing_and_HMAC_keys_as_to_symmetric_ones()
    {
        var signing = await CreateAsync("RSA_2048", "SIGN_VERIFY");
        var hmac = await CreateAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        var message = "rotate the root"u8.ToArray();
        SignRequest Sign() => new() { KeyId = signing, Message = new MemoryStream(message), SigningAlgorithm = "RSASSA_PSS_SHA_256" };
        VerifyRequest Verify(byte[] signature) =>
            new() { KeyId = signing, Message = new MemoryStream(message), Signature = new MemoryStream(signature), SigningAlgorithm = "RSASSA_PSS_SHA_256" };
        var signature = (await Kms.SignAsync(Sign())).Signature.ToArray();
        var mac = (await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac, Message = new MemoryStream(message), MacAlgorithm = "HMAC_SHA_256" })).Mac.ToArray();

        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = signing });
        await Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = hmac, PendingWindowInDays = 7 });

        var disabled = $"{Arn(signing)} is disabled.";
        await Errors.ExpectAsync("DisabledException", () => Kms.SignAsync(Sign()), disabled);
        await Errors.ExpectAsync("DisabledException", () => Kms.VerifyAsync(Verify(signature)), disabled);
        await Errors.ExpectAsync("DisabledException", () => Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = signing }), disabled);
        var pending = $"{Arn(hmac)} is pending deletion.";
        await Errors.ExpectAsync("KMSInvalidStateException",
            () => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac, Message = new MemoryStream(message), MacAlgorithm = "HMAC_SHA_256" }), pending);
        await Errors.ExpectAsync("KMSInvalidStateException", () => Kms.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = hmac, Message = new MemoryStream(message), MacAlgorithm = "HMAC_SHA_256", Mac = new MemoryStream(mac),
        }), pending);

        await Kms.EnableKeyAsync(new EnableKeyRequest { KeyId = signing });
        var again = (await Kms.SignAsync(Sign())).Signature.ToArray();
        Assert.True((await Kms.VerifyAsync(Verify(again))).SignatureValid);
        Assert.True((await Kms.VerifyAsync(Verify(signature))).SignatureValid);
    }

    [Fact]
    public async Task Policy_conditions_on_the_algorithm_decide_Sign_and_GenerateMac_as_for_any_key()
    {
        var signing = await CreateAsync("RSA_2048", "SIGN_VERIFY");
        var hmac = await CreateAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        var user = await Iam.CreateUserAsync(fixture.Server, $"signer{Random.Shared.Next(100_000, 999_999)}", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"kms:Sign","Resource":"*","Condition":{"StringEquals":{"kms:SigningAlgorithm":"RSASSA_PSS_SHA_256","kms:MessageType":"RAW"}}},
              {"Effect":"Allow","Action":"kms:GenerateMac","Resource":"*","Condition":{"StringEquals":{"kms:MacAlgorithm":"HMAC_SHA_256"}}}]}
            """);

        await user.Kms.SignAsync(new SignRequest { KeyId = signing, Message = new MemoryStream([1]), SigningAlgorithm = "RSASSA_PSS_SHA_256" });
        await user.Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac, Message = new MemoryStream([1]), MacAlgorithm = "HMAC_SHA_256" });

        await Errors.ExpectAsync("AccessDeniedException",
            () => user.Kms.SignAsync(new SignRequest { KeyId = signing, Message = new MemoryStream([1]), SigningAlgorithm = "RSASSA_PKCS1_V1_5_SHA_256" }));
        await Errors.ExpectAsync("AccessDeniedException", () => user.Kms.SignAsync(new SignRequest
        {
            KeyId = signing, Message = new MemoryStream(SHA256.HashData([1])), MessageType = "DIGEST", SigningAlgorithm = "RSASSA_PSS_SHA_256",
        }));
        await Errors.ExpectAsync("AccessDeniedException", () => user.Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = signing, Message = new MemoryStream([1]), Signature = new MemoryStream(new byte[256]), SigningAlgorithm = "RSASSA_PSS_SHA_256",
        }));
    }

    [Fact]
    public async Task A_flood_of_RSA_4096_key_pairs_is_made_one_at_a_time_while_other_requests_are_served()
    {
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var generator = fixture.Server.App.Vault.Generator;
        var flood = Enumerable.Range(0, 6)
            .Select(_ => Kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = symmetric, KeyPairSpec = "RSA_4096" }))
            .ToList();
        var mostAtOnce = 0;
        while (generator.Running == 0 && flood.Any(t => !t.IsCompleted))
        {
            await Task.Delay(5);
        }

        var encrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = symmetric, Plaintext = new MemoryStream([1, 2, 3]) });
        var stillQueued = flood.Count(t => !t.IsCompleted);
        while (flood.Any(t => !t.IsCompleted))
        {
            mostAtOnce = Math.Max(mostAtOnce, generator.Running);
            await Task.Delay(5);
        }

        await Task.WhenAll(flood);
        Assert.NotEmpty(encrypted.CiphertextBlob.ToArray());
        Assert.True(stillQueued > 0, "the Encrypt call was answered only after every key pair was made");
        Assert.Equal(1, mostAtOnce);
    }
}
