using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Crypto;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// The pkcs11 seal against SoftHSM2 (a real PKCS#11 token that <c>scripts/test.sh</c> creates):
/// a root key generated inside the token, never extractable, unsealing the server by itself.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class Pkcs11SealTests : IDisposable
{
    private static readonly string Library = Environment.GetEnvironmentVariable("COFFER_TEST_PKCS11_LIBRARY")
        ?? throw new InvalidOperationException("Run the tests with ./scripts/test.sh: it creates the SoftHSM2 token these tests use.");
    private static readonly string Token = Environment.GetEnvironmentVariable("COFFER_TEST_PKCS11_TOKEN") ?? "coffer-test";
    private static readonly string PinValue = Environment.GetEnvironmentVariable("COFFER_TEST_PKCS11_PIN") ?? "1234";

    private readonly string _root = Directory.CreateTempSubdirectory("coffer-hsm-").FullName;
    private readonly string _keyLabel = $"root-{Guid.NewGuid():N}";

    private string DataDir => Path.Combine(_root, "data");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Dictionary<string, string> Env(bool withPin = true) => withPin ? new() { ["COFFER_PKCS11_PIN"] = PinValue } : new() { ["COFFER_PKCS11_PIN"] = "" };

    private async Task<(string Id, string Secret)> InitAsync()
    {
        var init = await Repo.RunAsync(Repo.Launcher,
            ["init", "--data-dir", DataDir, "--seal", "pkcs11", "--pkcs11-library", Library, "--pkcs11-token-label", Token, "--pkcs11-key-label", _keyLabel], Env());
        Assert.True(init.ExitCode == 0, init.Stderr);
        string Value(string label) => init.Stdout.Split('\n').Single(l => l.StartsWith(label, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        return (Value("Admin access key id:"), Value("Admin secret access key:"));
    }

    [Fact]
    public void The_root_key_is_generated_non_extractable_in_the_token()
    {
        using var seal = Pkcs11Seal.Open(Library, Token, _keyLabel, PinValue, createKey: true);
        using var domainKey = SecretBytes.Random(32);

        var wrapped = seal.WrapDomainKey(domainKey);
        using var unwrapped = seal.UnwrapDomainKey(wrapped);

        Assert.True(seal.KeyIsNonExtractable());
        Assert.Equal(domainKey.Span.ToArray(), unwrapped.Span.ToArray());
        Assert.Throws<SealException>(() => Pkcs11Seal.Open(Library, Token, _keyLabel, "wrong-pin", createKey: false));
        Assert.Throws<SealException>(() => Pkcs11Seal.Open(Library, "no-such-token", _keyLabel, PinValue, createKey: false));
    }

    [Fact]
    public async Task The_HSM_unseals_the_server_and_old_ciphertexts_decrypt_after_restart_and_the_folder_holds_no_secret()
    {
        var (id, secret) = await InitAsync();
        var plaintext = RandomNumberGenerator.GetBytes(32);
        byte[] blob;
        byte[] dataKey;
        await using (var server = await CofferProcess.StartAsync(DataDir, Env(), dev: false))
        {
            Assert.Contains("Seal: pkcs11 (unsealed)", server.Output, StringComparison.Ordinal);
            var kms = server.Kms(id, secret);
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(plaintext) })).CiphertextBlob.ToArray();
            dataKey = (await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256 })).Plaintext.ToArray();
            await server.KillAsync();
            Assert.DoesNotContain(Convert.ToBase64String(plaintext), server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(dataKey), server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(PinValue, server.Output, StringComparison.Ordinal);
        }

        await using (var server = await CofferProcess.StartAsync(DataDir, Env(), dev: false))
        {
            var decrypted = await server.Kms(id, secret).DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
            Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        }

        foreach (var file in Directory.EnumerateFiles(DataDir, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var value in new[] { plaintext, dataKey, Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(PinValue + "\n") })
            {
                Assert.True(bytes.AsSpan().IndexOf(value) < 0, $"a secret is in {file}");
            }
        }
    }

    [Fact]
    public async Task Without_the_HSM_the_server_stays_sealed_and_says_why()
    {
        var (id, secret) = await InitAsync();

        await using var server = await CofferProcess.StartAsync(DataDir, Env(withPin: false), dev: false);

        Assert.Contains("Seal: pkcs11 (sealed: No HSM PIN was given", server.Output, StringComparison.Ordinal);
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => server.Kms(id, secret).ListKeysAsync(new ListKeysRequest()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
    }
}
