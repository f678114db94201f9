using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Coffer.Server.IntegrationTests.Infrastructure;
using Npgsql;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// <c>coffer migrate-store</c>, <c>backup</c> and <c>restore</c> as operators run them: a dev server
/// makes keys and ciphertexts, the store moves or is backed up and restored, a server on the copy
/// decrypts what was made before and <c>audit verify</c> passes over the moved trail.
/// </summary>
public class StoreCopyTests
{
    private const string AccessKeyId = "AKIASTORECOPYTEST001";
    private readonly string _secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));

    private Dictionary<string, string> Env => new() { ["COFFER_DEV_ACCESS_KEY_ID"] = AccessKeyId, ["COFFER_DEV_SECRET_ACCESS_KEY"] = _secret };

    [Fact]
    public async Task Migrate_store_from_sqlite_to_postgres_keeps_every_ciphertext_alias_grant_and_the_audit_chain()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-move-").FullName;
        var database = await CreateDatabaseAsync();
        List<(string KeyId, byte[] Blob, byte[] Plain)> made;
        string grantId;
        await using (var server = await CofferProcess.StartAsync(dataDir, Env))
        {
            using var kms = server.Kms(AccessKeyId, _secret);
            (made, grantId) = await MakeDataAsync(kms);
        }

        var moved = await Repo.CofferAsync(["migrate-store", "--from", $"sqlite:{dataDir}", "--to", $"postgres:{database}"]);
        Assert.True(moved.ExitCode == 0, moved.Stderr);
        Assert.Contains("audit_events", moved.Stdout, StringComparison.Ordinal);

        await using (var server = await CofferProcess.StartAsync(dataDir, Env, extraArguments: ["--storage", "postgres", "--postgres-connection", database]))
        {
            using var kms = server.Kms(AccessKeyId, _secret);
            await AssertDataAsync(kms, made, grantId);
        }

        var verify = await Repo.CofferAsync(["audit", "verify", "--data-dir", dataDir, "--storage", "postgres", "--postgres-connection", database]);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);

        var again = await Repo.CofferAsync(["migrate-store", "--from", $"sqlite:{dataDir}", "--to", $"postgres:{database}"]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already holds Coffer data", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_taken_while_clients_work_restores_into_sqlite_and_postgres_and_decrypts_what_was_made_before()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-backup-").FullName;
        var work = Directory.CreateTempSubdirectory("coffer-backup-out-").FullName;
        List<(string KeyId, byte[] Blob, byte[] Plain)> made;
        string grantId;
        await using (var server = await CofferProcess.StartAsync(dataDir, Env))
        {
            using var kms = server.Kms(AccessKeyId, _secret);
            (made, grantId) = await MakeDataAsync(kms);
            using var stop = new CancellationTokenSource();
            var load = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await kms.EncryptAsync(new EncryptRequest { KeyId = made[0].KeyId, Plaintext = new MemoryStream([1, 2, 3]) });
                }
            });
            var backup = await Repo.CofferAsync(["backup", "--data-dir", dataDir, "--out", Path.Combine(work, "store.bak"), "--key-file", Path.Combine(work, "key"), "--new-key-file"]);
            await stop.CancelAsync();
            await load;
            Assert.True(backup.ExitCode == 0, backup.Stderr);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(work, "key")));
        var restoredDir = Path.Combine(work, "restored");
        Directory.CreateDirectory(restoredDir);
        File.Copy(Path.Combine(dataDir, "dev-root.key"), Path.Combine(restoredDir, "dev-root.key"));
        File.Copy(Path.Combine(dataDir, "audit-public-key.pem"), Path.Combine(restoredDir, "audit-public-key.pem"));
        var database = await CreateDatabaseAsync();
        var toSqlite = await Repo.CofferAsync(["restore", "--data-dir", restoredDir, "--in", Path.Combine(work, "store.bak"), "--key-file", Path.Combine(work, "key")]);
        var toPostgres = await Repo.CofferAsync(["restore", "--data-dir", restoredDir, "--storage", "postgres", "--postgres-connection", database,
            "--in", Path.Combine(work, "store.bak"), "--key-file", Path.Combine(work, "key")]);
        Assert.True(toSqlite.ExitCode == 0, toSqlite.Stderr);
        Assert.True(toPostgres.ExitCode == 0, toPostgres.Stderr);

        foreach (var storage in new[] { new[] { "--storage", "sqlite" }, ["--storage", "postgres", "--postgres-connection", database] })
        {
            await using (var server = await CofferProcess.StartAsync(restoredDir, Env, extraArguments: storage))
            {
                using var kms = server.Kms(AccessKeyId, _secret);
                await AssertDataAsync(kms, made, grantId);
            }

            var verify = await Repo.CofferAsync(["audit", "verify", "--data-dir", restoredDir, .. storage]);
            Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        }

        var onto = await Repo.CofferAsync(["restore", "--data-dir", restoredDir, "--in", Path.Combine(work, "store.bak"), "--key-file", Path.Combine(work, "key")]);
        Assert.Equal(1, onto.ExitCode);
        Assert.Contains("already holds a Coffer store", onto.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_a_truncated_file_and_a_flipped_byte_are_each_refused_writing_nothing()
    {
        var dataDir = Directory.CreateTempSubdirectory("coffer-bad-backup-").FullName;
        Assert.Equal(0, (await Repo.CofferAsync(["migrate", "--data-dir", dataDir])).ExitCode);
        var backup = Path.Combine(dataDir, "store.bak");
        var key = Path.Combine(dataDir, "backup.key");
        Assert.Equal(0, (await Repo.CofferAsync(["backup", "--data-dir", dataDir, "--out", backup, "--key-file", key, "--new-key-file"])).ExitCode);
        var otherKey = Path.Combine(dataDir, "other.key");
        Assert.Equal(0, (await Repo.CofferAsync(["backup", "--data-dir", dataDir, "--out", backup + "2", "--key-file", otherKey, "--new-key-file"])).ExitCode);
        var bytes = await File.ReadAllBytesAsync(backup);
        var truncated = backup + ".cut";
        await File.WriteAllBytesAsync(truncated, bytes[..^10]);
        var flipped = backup + ".flip";
        var changed = (byte[])bytes.Clone();
        changed[changed.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(flipped, changed);

        foreach (var (file, keyFile, expected) in new[]
        {
            (backup, otherKey, "The backup key does not open this backup"),
            (truncated, key, "The backup is damaged: it ends before its last chunk"),
            (flipped, key, "does not authenticate"),
        })
        {
            var target = Path.Combine(Directory.CreateTempSubdirectory("coffer-restore-").FullName, "store");
            var result = await Repo.CofferAsync(["restore", "--data-dir", target, "--in", file, "--key-file", keyFile]);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(target), $"{file}: restore wrote {target}");
        }
    }

    [Theory]
    [InlineData("--from mysql:/x --to sqlite:/y", "--from: 'mysql' is not a storage engine")]
    [InlineData("--from /x --to sqlite:/y", "--from: '/x' names no store")]
    [InlineData("--from sqlite:/x --to sqlite:", "--to: sqlite: needs the data folder")]
    [InlineData("--from sqlite:/x --to postgres:Host=127.0.0.1;Password=hunter2", "--to: the connection string holds a password")]
    public async Task Migrate_store_refuses_bad_locations_with_exit_2(string arguments, string expected)
    {
        var result = await Repo.CofferAsync(["migrate-store", .. arguments.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_store_names_a_missing_source()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"coffer-missing-{Guid.NewGuid():N}");
        var target = Path.Combine(Path.GetTempPath(), $"coffer-target-{Guid.NewGuid():N}");

        var result = await Repo.CofferAsync(["migrate-store", "--from", $"sqlite:{missing}", "--to", $"sqlite:{target}"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{missing} holds no Coffer store", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
    }

    private static async Task<(List<(string KeyId, byte[] Blob, byte[] Plain)>, string GrantId)> MakeDataAsync(AmazonKeyManagementServiceClient kms)
    {
        var made = new List<(string, byte[], byte[])>();
        string? grantId = null;
        foreach (var spec in new[] { KeySpec.SYMMETRIC_DEFAULT, KeySpec.SYMMETRIC_DEFAULT })
        {
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, Description = "moved" })).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = $"alias/moved-{made.Count}", TargetKeyId = key });
            grantId ??= (await kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = key,
                GranteePrincipal = "arn:aws:iam::111122223333:root",
                Operations = ["Decrypt"],
            })).GrantId;
            var plain = RandomNumberGenerator.GetBytes(48);
            var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(plain) })).CiphertextBlob.ToArray();
            made.Add((key, blob, plain));
        }

        var signing = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY })).KeyMetadata.KeyId;
        var signature = (await kms.SignAsync(new SignRequest
        {
            KeyId = signing, Message = new MemoryStream([7, 7, 7]), SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256,
        })).Signature.ToArray();
        made.Add((signing, signature, [7, 7, 7]));
        return (made, grantId!);
    }

    private static async Task AssertDataAsync(AmazonKeyManagementServiceClient kms, List<(string KeyId, byte[] Blob, byte[] Plain)> made, string grantId)
    {
        foreach (var (keyId, blob, plain) in made[..^1])
        {
            var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
            Assert.Equal(keyId, decrypted.KeyId.Split('/')[^1]);
            Assert.Equal(plain, decrypted.Plaintext.ToArray());
        }

        var (signing, signature, message) = made[^1];
        var verified = await kms.VerifyAsync(new VerifyRequest
        {
            KeyId = signing, Message = new MemoryStream(message), Signature = new MemoryStream(signature), SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256,
        });
        Assert.True(verified.SignatureValid);
        var aliases = (await kms.ListAliasesAsync(new ListAliasesRequest())).Aliases.Select(a => a.AliasName).ToList();
        Assert.Contains("alias/moved-0", aliases);
        Assert.Contains("alias/moved-1", aliases);
        var grants = (await kms.ListGrantsAsync(new ListGrantsRequest { KeyId = made[0].KeyId })).Grants;
        Assert.Contains(grants, g => g.GrantId == grantId);
        Assert.NotNull((await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = made[0].KeyId, PolicyName = "default" })).Policy);
    }

    private static async Task<string> CreateDatabaseAsync()
    {
        var server = Environment.GetEnvironmentVariable("COFFER_TEST_POSTGRES")
            ?? throw new InvalidOperationException("COFFER_TEST_POSTGRES is not set: run ./scripts/test.sh, which starts a throwaway PostgreSQL.");
        var name = $"coffer_copy_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            // A generated name of letters, digits and underscores: nothing to quote.
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
