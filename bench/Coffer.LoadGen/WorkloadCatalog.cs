using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.LoadGen;

/// <summary>
/// Creates the keys the benchmark needs on the server under test and builds one workload per
/// operation the issue asks to measure. Each workload is sent once here and must pass its own
/// check, so a server that cannot serve it stops the run before any figure is taken.
/// </summary>
internal sealed class WorkloadCatalog(SignedClient client, Uri coffer)
{
    /// <summary>Bytes signed, verified and MACed: small, as a token or a digest-sized payload would be.</summary>
    public const int MessageBytes = 256;

    private static readonly JsonObject Context = new() { ["bench"] = "yes" };

    public static readonly string[] Names =
    [
        "Encrypt-32B", "Encrypt-4KiB", "Decrypt", "GenerateDataKey", "ReEncrypt",
        "Sign-P256", "Verify-P256", "Sign-RSA2048", "Verify-RSA2048", "GenerateMac",
    ];

    /// <summary>The message the Sign workloads sign, for the .NET-alone baseline to sign too.</summary>
    public byte[] Message { get; } = RandomNumberGenerator.GetBytes(MessageBytes);

    public async Task<IReadOnlyList<Workload>> CreateAsync(CancellationToken cancellationToken)
    {
        var symmetric = await CreateKeyAsync(new JsonObject { ["Description"] = "load generator" }, cancellationToken);
        var destination = await CreateKeyAsync(new JsonObject { ["Description"] = "load generator, ReEncrypt destination" }, cancellationToken);
        var ecc = await CreateKeyAsync(new JsonObject { ["KeySpec"] = "ECC_NIST_P256", ["KeyUsage"] = "SIGN_VERIFY" }, cancellationToken);
        var rsa = await CreateKeyAsync(new JsonObject { ["KeySpec"] = "RSA_2048", ["KeyUsage"] = "SIGN_VERIFY" }, cancellationToken);
        var hmac = await CreateKeyAsync(new JsonObject { ["KeySpec"] = "HMAC_256", ["KeyUsage"] = "GENERATE_VERIFY_MAC" }, cancellationToken);

        var small = RandomNumberGenerator.GetBytes(32);
        var sealedSmall = await CallAsync("Encrypt", new JsonObject { ["KeyId"] = symmetric.Id, ["Plaintext"] = Convert.ToBase64String(small), ["EncryptionContext"] = Context.DeepClone() }, cancellationToken);
        var blob = sealedSmall.GetProperty("CiphertextBlob").GetString()!;
        var message = Convert.ToBase64String(Message);
        var mac = await CallAsync("GenerateMac", new JsonObject { ["KeyId"] = hmac.Id, ["Message"] = message, ["MacAlgorithm"] = "HMAC_SHA_256" }, cancellationToken);

        var workloads = new List<Workload>
        {
            Encrypt("Encrypt-32B", symmetric, 32),
            Encrypt("Encrypt-4KiB", symmetric, 4096),
            new("Decrypt", "Decrypt",
                Body(new JsonObject { ["CiphertextBlob"] = blob, ["EncryptionContext"] = Context.DeepClone() }),
                new ResponseCheck().Equal("Plaintext", Convert.ToBase64String(small)).Equal("KeyId", symmetric.Arn)),
            new("GenerateDataKey", "GenerateDataKey",
                Body(new JsonObject { ["KeyId"] = symmetric.Id, ["KeySpec"] = "AES_256", ["EncryptionContext"] = Context.DeepClone() }),
                new ResponseCheck().Base64("Plaintext", 32, 32).Base64("CiphertextBlob", 33, 1024).Equal("KeyId", symmetric.Arn)),
            new("ReEncrypt", "ReEncrypt",
                Body(new JsonObject
                {
                    ["CiphertextBlob"] = blob, ["SourceEncryptionContext"] = Context.DeepClone(),
                    ["DestinationKeyId"] = destination.Id, ["DestinationEncryptionContext"] = Context.DeepClone(),
                }),
                new ResponseCheck().Base64("CiphertextBlob", 33, 1024).Equal("SourceKeyId", symmetric.Arn).Equal("KeyId", destination.Arn)),
            new("GenerateMac", "GenerateMac",
                Body(new JsonObject { ["KeyId"] = hmac.Id, ["Message"] = message, ["MacAlgorithm"] = "HMAC_SHA_256" }),
                // HMAC is deterministic, so every answer must be the one given at setup.
                new ResponseCheck().Equal("Mac", mac.GetProperty("Mac").GetString()!).Equal("KeyId", hmac.Arn)),
        };
        workloads.AddRange(await SignAndVerifyAsync("P256", ecc, "ECDSA_SHA_256", cancellationToken));
        workloads.AddRange(await SignAndVerifyAsync("RSA2048", rsa, "RSASSA_PKCS1_V1_5_SHA_256", cancellationToken));

        var probed = new List<Workload>();
        foreach (var workload in workloads)
        {
            var (status, body) = await client.SendAsync(coffer, workload.Operation, workload.Body, cancellationToken);
            if (workload.Check.Problem(status, body) is { } problem)
            {
                throw new InvalidOperationException($"{workload.Name} at setup: {problem}");
            }

            probed.Add(workload with { Canned = body });
        }

        return probed;
    }

    /// <summary>
    /// The Sign and Verify workloads of one key. The setup signature is checked here against the
    /// key's public key with .NET, so the server is known to sign correctly before only the shape
    /// of its signatures is checked under load (ECDSA signatures differ each time; checking each
    /// one would spend the shared cores on the client).
    /// </summary>
    private async Task<Workload[]> SignAndVerifyAsync(string suffix, (string Id, string Arn) key, string algorithm, CancellationToken cancellationToken)
    {
        var message = Convert.ToBase64String(Message);
        JsonObject SignRequest() => new() { ["KeyId"] = key.Id, ["Message"] = message, ["MessageType"] = "RAW", ["SigningAlgorithm"] = algorithm };
        var signed = await CallAsync("Sign", SignRequest(), cancellationToken);
        var signature = signed.GetProperty("Signature").GetString()!;
        var publicKey = await CallAsync("GetPublicKey", new JsonObject { ["KeyId"] = key.Id }, cancellationToken);
        if (!PublicKeyVerifies(Convert.FromBase64String(publicKey.GetProperty("PublicKey").GetString()!), Convert.FromBase64String(signature)))
        {
            throw new InvalidOperationException($"The {algorithm} signature the server made at setup does not verify with its public key.");
        }

        // PKCS#1 v1.5 is deterministic: every signature must equal the setup one. ECDSA's is DER of
        // two 32-byte integers, 8 to 72 bytes.
        var signCheck = algorithm.StartsWith("RSA", StringComparison.Ordinal)
            ? new ResponseCheck().Equal("Signature", signature)
            : new ResponseCheck().Base64("Signature", 8, 72);
        var verify = SignRequest();
        verify["Signature"] = signature;
        return
        [
            new($"Sign-{suffix}", "Sign", Body(SignRequest()), signCheck.Equal("KeyId", key.Arn).Equal("SigningAlgorithm", algorithm)),
            new($"Verify-{suffix}", "Verify", Body(verify), new ResponseCheck().True("SignatureValid").Equal("KeyId", key.Arn)),
        ];

        bool PublicKeyVerifies(byte[] spki, byte[] signatureBytes)
        {
            if (algorithm.StartsWith("RSA", StringComparison.Ordinal))
            {
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(spki, out _);
                return rsa.VerifyData(Message, signatureBytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }

            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
            return ecdsa.VerifyData(Message, signatureBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
    }

    private static Workload Encrypt(string name, (string Id, string Arn) key, int plaintextBytes)
    {
        var plaintext = Convert.ToBase64String(RandomNumberGenerator.GetBytes(plaintextBytes));
        var body = Body(new JsonObject { ["KeyId"] = key.Id, ["Plaintext"] = plaintext, ["EncryptionContext"] = Context.DeepClone() });
        return new(name, "Encrypt", body,
            new ResponseCheck().Base64("CiphertextBlob", plaintextBytes + 1, plaintextBytes + 1024).Equal("KeyId", key.Arn).Equal("EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
    }

    private async Task<(string Id, string Arn)> CreateKeyAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var metadata = (await CallAsync("CreateKey", request, cancellationToken)).GetProperty("KeyMetadata");
        return (metadata.GetProperty("KeyId").GetString()!, metadata.GetProperty("Arn").GetString()!);
    }

    private async Task<JsonElement> CallAsync(string operation, JsonObject request, CancellationToken cancellationToken)
    {
        var (status, body) = await client.SendAsync(coffer, operation, Body(request), cancellationToken);
        return status == 200
            ? JsonDocument.Parse(body).RootElement.Clone()
            : throw new InvalidOperationException($"{operation} at setup answered HTTP {status}: {Encoding.UTF8.GetString(body)}");
    }

    private static byte[] Body(JsonObject request) => Encoding.UTF8.GetBytes(request.ToJsonString());
}
