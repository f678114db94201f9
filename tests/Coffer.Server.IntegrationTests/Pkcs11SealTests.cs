using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Barrier;
using Coffer.Crypto;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// The pkcs11 seal against SoftHSM2 (a real PKCS#11 token that <c>scripts/test.sh</c> creates):
/// a root key generated inside the token, never extractable, unsealing the server by itself.
/// </summary>
[StartsEarly(8)]
public sealed class Pkcs11SealTests : IDisposable
{
    private static readonly string Library = Pkcs11Token.Library;
    private static readonly string Token = Pkcs11Token.Label;
    private static readonly string PinValue = Pkcs11Token.Pin;

    private readonly string _root = Directory.CreateTempSubdirectory("coffer-hsm-").FullName;
    private readonly string _keyLabel = $"root-{Guid.NewGuid():N}";

    private string DataDir => Path.Combine(_root, "data");

    /// <summary>The server takes the library from its own configuration, never from the data folder.</summary>
    private static string[] ServerLibrary => ["--pkcs11-library", Library];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Dictionary<string, string> Env(bool withPin = true) => Pkcs11Token.PinEnvironment(withPin);

    /// <summary>A copy of the folder <c>coffer init --seal pkcs11</c> made once for this run; every copy is sealed by the same token key.</summary>
    private async Task<(string Id, string Secret)> InitAsync()
    {
        var folder = await InitializedFolder.Pkcs11Async(DataDir);
        return (folder.AdminAccessKeyId, folder.AdminSecretAccessKey);
    }

    /// <summary>What someone with write access to the data folder could do: change the library recorded at init.</summary>
    private async Task SetRecordedLibraryAsync(string library)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(DataDir, "coffer.db")};Pooling=False");
        await connection.OpenAsync();
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT value FROM settings WHERE name = 'seal-config.v1';";
        var config = JsonNode.Parse((byte[])(await read.ExecuteScalarAsync())!)!;
        config["pkcs11Library"] = library;
        await using var write = connection.CreateCommand();
        write.CommandText = "UPDATE settings SET value = $value WHERE name = 'seal-config.v1';";
        write.Parameters.AddWithValue("$value", Encoding.UTF8.GetBytes(config.ToJsonString()));
        Assert.Equal(1, await write.ExecuteNonQueryAsync());
    }

    /// <summary>A real copy of the PKCS#11 library at another path: loading it would work, so only the check can stop it.</summary>
    private string PlantLibrary()
    {
        var planted = Path.Combine(_root, "planted", Path.GetFileName(Library));
        Directory.CreateDirectory(Path.GetDirectoryName(planted)!);
        File.Copy(Library, planted);
        return planted;
    }

    [Fact]
    public async Task The_server_loads_only_the_PKCS11_library_its_own_configuration_names()
    {
        await InitAsync();
        var planted = PlantLibrary();
        await SetRecordedLibraryAsync(planted);
        string[] server = ["server", "--data-dir", DataDir, "--insecure-http", "--listen", $"127.0.0.1:{Repo.FreePort()}"];

        var missing = await Repo.CofferAsync(server, Env(), TimeSpan.FromSeconds(90));
        var disagreeing = await Repo.CofferAsync([.. server, "--pkcs11-library", Library], Env(), TimeSpan.FromSeconds(90));

        Assert.True(missing.ExitCode == 1, $"exit {missing.ExitCode}: {missing.Stderr}");
        CliOutput.AssertOneClearLine(missing.Stderr, "--pkcs11-library");
        Assert.True(disagreeing.ExitCode == 1, $"exit {disagreeing.ExitCode}: {disagreeing.Stderr}");
        CliOutput.AssertOneClearLine(disagreeing.Stderr, planted);

        await SetRecordedLibraryAsync(Library);
        var env = Env();
        env["COFFER_PKCS11_LIBRARY"] = Library;
        await using var started = await CofferProcess.StartAsync(DataDir, env, dev: false);
        Assert.Contains("Seal: pkcs11 (unsealed)", started.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rekey_away_from_an_HSM_loads_only_the_library_the_operator_names()
    {
        await InitAsync();
        var planted = PlantLibrary();
        await SetRecordedLibraryAsync(planted);
        string[] rekey = ["rekey", "--data-dir", DataDir, "--seal", "shamir", "--shares", "3", "--threshold", "2"];

        var missing = await Repo.CofferAsync(rekey, Env());
        var disagreeing = await Repo.CofferAsync([.. rekey, "--current-pkcs11-library", Library], Env());

        Assert.True(missing.ExitCode == 1, $"exit {missing.ExitCode}: {missing.Stderr}");
        CliOutput.AssertOneClearLine(missing.Stderr, "--current-pkcs11-library");
        Assert.True(disagreeing.ExitCode == 1, $"exit {disagreeing.ExitCode}: {disagreeing.Stderr}");
        CliOutput.AssertOneClearLine(disagreeing.Stderr, planted);

        await SetRecordedLibraryAsync(Library);
        var rekeyed = await Repo.CofferAsync([.. rekey, "--current-pkcs11-library", Library], Env());
        Assert.True(rekeyed.ExitCode == 0, rekeyed.Stderr);
        Assert.Equal(3, rekeyed.Stdout.Split('\n').Count(l => l.StartsWith("Share ", StringComparison.Ordinal)));
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
        await using (var server = await CofferProcess.StartAsync(DataDir, Env(), dev: false, extraArguments: ServerLibrary))
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

        await using (var server = await CofferProcess.StartAsync(DataDir, Env(), dev: false, extraArguments: ServerLibrary))
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

        await using var server = await CofferProcess.StartAsync(DataDir, Env(withPin: false), dev: false, extraArguments: ServerLibrary);

        Assert.Contains("Seal: pkcs11 (sealed: No HSM PIN was given", server.Output, StringComparison.Ordinal);
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => server.Kms(id, secret).ListKeysAsync(new ListKeysRequest()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
    }
}
