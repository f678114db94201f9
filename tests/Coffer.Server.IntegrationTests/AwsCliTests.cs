using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

/// <summary>
/// The AWS CLI against <c>coffer server --dev</c>, exactly as the README tells a newcomer:
/// the profile from <c>DIR/credentials</c> and <c>--endpoint-url</c>, nothing else.
/// Each test class has its own server; the classes run side by side, since each <c>aws</c> call takes a second.
/// </summary>
public abstract class AwsCliDriver(AwsCliDriver.DevServer server)
{
    /// <summary><c>coffer server --dev</c> on its own data folder, for one test class.</summary>
    public sealed class DevServer : IAsyncLifetime
    {
        public string DataDir { get; } = Directory.CreateTempSubdirectory("coffer-cli-").FullName;
        public CofferProcess Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await CofferProcess.StartAsync(DataDir);

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            Directory.Delete(DataDir, recursive: true);
        }
    }

    protected string DataDir => server.DataDir;

    private static string AwsExecutable { get; } = new[] { "/usr/bin/aws", "/usr/local/bin/aws" }.FirstOrDefault(File.Exists) ?? "aws";

    /// <summary>
    /// Coffer's copy of the KMS API model where the CLI looks for models, as
    /// <c>aws configure add-model</c> would put it: Debian 12's CLI (2.9.19) predates
    /// RotateKeyOnDemand, ListKeyRotations and DeriveSharedSecret, and learns them from it.
    /// </summary>
    private static string ModelPath { get; } = CopyModel();

    private static string CopyModel()
    {
        var root = Directory.CreateTempSubdirectory("coffer-aws-models-").FullName;
        var dir = Directory.CreateDirectory(Path.Combine(root, "kms", "2014-11-01")).FullName;
        File.Copy(Path.Combine(Repo.Root, "src", "Coffer.Protocol", "Model", "kms-2014-11-01.json"), Path.Combine(dir, "service-2.json"));
        return root;
    }

    protected Task<(int ExitCode, JsonElement Json, string Stderr)> AwsAsync(params string[] args) => AwsAsAsync(null, args);

    /// <summary>Runs the AWS CLI as the dev admin (profile from the credentials file) or as the given key.</summary>
    protected async Task<(int ExitCode, JsonElement Json, string Stderr)> AwsAsAsync((string Id, string Secret, string? Token)? credentials, params string[] args)
    {
        var env = new Dictionary<string, string>
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(DataDir, "credentials"),
            ["AWS_PROFILE"] = "coffer",
            ["AWS_CONFIG_FILE"] = "/dev/null",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["AWS_PAGER"] = "",
            ["AWS_DATA_PATH"] = ModelPath,
            ["AWS_ACCESS_KEY_ID"] = "",
            ["AWS_SECRET_ACCESS_KEY"] = "",
            ["AWS_SESSION_TOKEN"] = "",
        };
        if (credentials is { } c)
        {
            env.Remove("AWS_PROFILE");
            env["AWS_ACCESS_KEY_ID"] = c.Id;
            env["AWS_SECRET_ACCESS_KEY"] = c.Secret;
            env["AWS_SESSION_TOKEN"] = c.Token ?? "";
        }

        var (exitCode, stdout, stderr) = await Repo.RunAsync(AwsExecutable, ["--endpoint-url", server.Server.Address.ToString(), "--output", "json", .. args], env);
        var json = stdout.Trim().Length == 0 ? default : JsonDocument.Parse(stdout).RootElement;
        return (exitCode, json, stderr);
    }

    protected async Task<JsonElement> OkAsync(params string[] args)
    {
        var (exitCode, json, stderr) = await AwsAsync(args);
        Assert.True(exitCode == 0, $"aws {string.Join(' ', args)} failed ({exitCode}): {stderr}");
        return json;
    }
}

/// <summary>A whole symmetric-key workflow, the longest run of <c>aws</c> calls, on a server of its own.</summary>
[StartsEarly(2)]
public sealed class AwsCliKeyWorkflowTests(AwsCliDriver.DevServer server) : AwsCliDriver(server), IClassFixture<AwsCliDriver.DevServer>
{
    [Fact]
    public async Task The_aws_cli_runs_the_whole_symmetric_key_workflow_with_AWS_errors()
    {
        var key = (await OkAsync("kms", "create-key", "--description", "cli")).GetProperty("KeyMetadata");
        var keyId = key.GetProperty("KeyId").GetString()!;
        Assert.Equal("Enabled", key.GetProperty("KeyState").GetString());
        var other = (await OkAsync("kms", "create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;

        var plaintextFile = Path.Combine(DataDir, "plaintext.bin");
        var plaintext = RandomNumberGenerator.GetBytes(200);
        await File.WriteAllBytesAsync(plaintextFile, plaintext);
        var encrypted = await OkAsync("kms", "encrypt", "--key-id", keyId, "--plaintext", $"fileb://{plaintextFile}",
            "--encryption-context", "purpose=cli,team=core");
        var blobFile = Path.Combine(DataDir, "blob.bin");
        await File.WriteAllBytesAsync(blobFile, Convert.FromBase64String(encrypted.GetProperty("CiphertextBlob").GetString()!));

        var decrypted = await OkAsync("kms", "decrypt", "--ciphertext-blob", $"fileb://{blobFile}", "--encryption-context", "purpose=cli,team=core");
        Assert.Equal(plaintext, Convert.FromBase64String(decrypted.GetProperty("Plaintext").GetString()!));
        Assert.EndsWith(keyId, decrypted.GetProperty("KeyId").GetString(), StringComparison.Ordinal);

        var wrongContext = await AwsAsync("kms", "decrypt", "--ciphertext-blob", $"fileb://{blobFile}", "--encryption-context", "purpose=other");
        Assert.NotEqual(0, wrongContext.ExitCode);
        Assert.Contains("InvalidCiphertextException", wrongContext.Stderr, StringComparison.Ordinal);

        var reEncrypted = await OkAsync("kms", "re-encrypt", "--ciphertext-blob", $"fileb://{blobFile}",
            "--source-encryption-context", "purpose=cli,team=core", "--destination-key-id", other);
        Assert.EndsWith(other, reEncrypted.GetProperty("KeyId").GetString(), StringComparison.Ordinal);
        await File.WriteAllBytesAsync(blobFile, Convert.FromBase64String(reEncrypted.GetProperty("CiphertextBlob").GetString()!));
        var again = await OkAsync("kms", "decrypt", "--ciphertext-blob", $"fileb://{blobFile}");
        Assert.Equal(plaintext, Convert.FromBase64String(again.GetProperty("Plaintext").GetString()!));

        var dataKey = await OkAsync("kms", "generate-data-key", "--key-id", keyId, "--key-spec", "AES_256");
        Assert.Equal(32, Convert.FromBase64String(dataKey.GetProperty("Plaintext").GetString()!).Length);

        await OkAsync("kms", "disable-key", "--key-id", keyId);
        var disabled = await AwsAsync("kms", "encrypt", "--key-id", keyId, "--plaintext", $"fileb://{plaintextFile}");
        Assert.NotEqual(0, disabled.ExitCode);
        Assert.Contains("DisabledException", disabled.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{keyId} is disabled.", disabled.Stderr, StringComparison.Ordinal);

        var scheduled = await OkAsync("kms", "schedule-key-deletion", "--key-id", keyId, "--pending-window-in-days", "7");
        Assert.Equal("PendingDeletion", scheduled.GetProperty("KeyState").GetString());
        Assert.Equal(7, scheduled.GetProperty("PendingWindowInDays").GetInt32());
        var pending = await AwsAsync("kms", "enable-key", "--key-id", keyId);
        Assert.Contains("KMSInvalidStateException", pending.Stderr, StringComparison.Ordinal);

        var missing = await AwsAsync("kms", "describe-key", "--key-id", Guid.NewGuid().ToString());
        Assert.Contains("NotFoundException", missing.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>Access control and listing through the AWS CLI. The tests share a server: each makes its own keys, users and <c>alias/cli-*</c> names and looks only at those.</summary>
[StartsEarly(3)]
public sealed class AwsCliTests(AwsCliDriver.DevServer server) : AwsCliDriver(server), IClassFixture<AwsCliDriver.DevServer>
{
    [Fact]
    public async Task The_aws_cli_manages_users_grants_policies_and_roles_that_decide_access()
    {
        var keyArn = (await OkAsync("kms", "create-key")).GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;
        var user = (await OkAsync("iam", "create-user", "--user-name", "alice")).GetProperty("User");
        var aliceArn = user.GetProperty("Arn").GetString()!;
        var key = (await OkAsync("iam", "create-access-key", "--user-name", "alice")).GetProperty("AccessKey");
        (string, string, string?) alice = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!, null);
        var plaintextFile = Path.Combine(DataDir, "p.bin");
        await File.WriteAllBytesAsync(plaintextFile, [1, 2, 3]);
        string[] encrypt = ["kms", "encrypt", "--key-id", keyArn, "--plaintext", $"fileb://{plaintextFile}"];

        var denied = await AwsAsAsync(alice, encrypt);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("AccessDeniedException", denied.Stderr, StringComparison.Ordinal);
        Assert.Contains($"User: {aliceArn} is not authorized to perform: kms:Encrypt", denied.Stderr, StringComparison.Ordinal);

        var grant = await OkAsync("kms", "create-grant", "--key-id", keyArn, "--grantee-principal", aliceArn, "--operations", "Encrypt", "Decrypt");
        Assert.Equal(0, (await AwsAsAsync(alice, encrypt)).ExitCode);
        await OkAsync("kms", "revoke-grant", "--key-id", keyArn, "--grant-id", grant.GetProperty("GrantId").GetString()!);
        Assert.Contains("AccessDeniedException", (await AwsAsAsync(alice, encrypt)).Stderr, StringComparison.Ordinal);

        await OkAsync("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "encrypt",
            "--policy-document", $$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","sts:AssumeRole"],"Resource":"*"}]}""");
        Assert.Equal(0, (await AwsAsAsync(alice, encrypt)).ExitCode);
        var identity = await AwsAsAsync(alice, "sts", "get-caller-identity");
        Assert.Equal(aliceArn, identity.Json.GetProperty("Arn").GetString());

        var trust = $$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{{aliceArn}}}"},"Action":"sts:AssumeRole"}]}""";
        var role = (await OkAsync("iam", "create-role", "--role-name", "decryptor", "--assume-role-policy-document", trust)).GetProperty("Role");
        await OkAsync("iam", "put-role-policy", "--role-name", "decryptor", "--policy-name", "kms",
            "--policy-document", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""");
        var session = await AwsAsAsync(alice, "sts", "assume-role", "--role-arn", role.GetProperty("Arn").GetString()!, "--role-session-name", "cli");
        Assert.Equal(0, session.ExitCode);
        var credentials = session.Json.GetProperty("Credentials");
        (string, string, string?) assumed = (credentials.GetProperty("AccessKeyId").GetString()!, credentials.GetProperty("SecretAccessKey").GetString()!,
            credentials.GetProperty("SessionToken").GetString());
        Assert.Equal(0, (await AwsAsAsync(assumed, encrypt)).ExitCode);
        Assert.EndsWith("assumed-role/decryptor/cli", (await AwsAsAsync(assumed, "sts", "get-caller-identity")).Json.GetProperty("Arn").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_aws_cli_lists_keys_and_aliases_with_its_own_pagination()
    {
        for (var i = 0; i < 3; i++)
        {
            var keyId = (await OkAsync("kms", "create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
            await OkAsync("kms", "create-alias", "--alias-name", $"alias/cli-{i}", "--target-key-id", keyId);
        }

        // --page-size makes the CLI follow NextMarker itself.
        var keys = await OkAsync("kms", "list-keys", "--page-size", "1");
        var aliases = await OkAsync("kms", "list-aliases", "--page-size", "2");

        Assert.True(keys.GetProperty("Keys").GetArrayLength() >= 3);
        Assert.Equal(["alias/cli-0", "alias/cli-1", "alias/cli-2"],
            aliases.GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("AliasName").GetString()).Where(n => n!.StartsWith("alias/cli-", StringComparison.Ordinal)));
    }
}

/// <summary><c>aws cloudtrail lookup-events</c>. It counts every CreateKey in the trail, so it has a server to itself.</summary>
[StartsEarly(5)]
public sealed class AwsCliTrailTests(AwsCliDriver.DevServer server) : AwsCliDriver(server), IClassFixture<AwsCliDriver.DevServer>
{
    [Fact]
    public async Task The_aws_cli_reads_the_trail_with_cloudtrail_lookup_events()
    {
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await OkAsync("kms", "create-key")).GetProperty("KeyMetadata").GetProperty("Arn").GetString()!);
        }

        var all = await OkAsync("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateKey", "--page-size", "1");
        var events = all.GetProperty("Events").EnumerateArray().ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("CreateKey", e.GetProperty("EventName").GetString()));
        Assert.Equal(created.AsEnumerable().Reverse(), events.Select(e => e.GetProperty("Resources")[0].GetProperty("ResourceName").GetString()));

        var byKey = await OkAsync("cloudtrail", "lookup-events", "--lookup-attributes", $"AttributeKey=ResourceName,AttributeValue={created[0]}");
        Assert.Single(byKey.GetProperty("Events").EnumerateArray());
        var trailEvent = System.Text.Json.JsonDocument.Parse(byKey.GetProperty("Events")[0].GetProperty("CloudTrailEvent").GetString()!).RootElement;
        Assert.Equal("kms.amazonaws.com", trailEvent.GetProperty("eventSource").GetString());

        var badRange = await AwsAsync("cloudtrail", "lookup-events", "--start-time", "2030-01-02T00:00:00Z", "--end-time", "2030-01-01T00:00:00Z");
        Assert.Contains("InvalidTimeRangeException", badRange.Stderr, StringComparison.Ordinal);
    }
}
