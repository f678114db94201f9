using System.Text;
using Coffer.Crypto;
using Coffer.Service.Identity;
using Coffer.Storage;

namespace Coffer.Server;

/// <summary>
/// The dev server's admin: an access key taken from the environment, else the one in
/// <c>DIR/credentials</c> from an earlier start, else a new one. The key is written to that file
/// in AWS shared-credentials form (profile <c>coffer</c>) so the AWS CLI can use it directly.
/// </summary>
public static class DevAdmin
{
    public const string Profile = "coffer";
    public const string CredentialsFileName = "credentials";
    public const string UserName = "admin";

    public const string AdminPolicyName = "AdministratorAccess";
    private const string AdminPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";

    public static async Task<(string AccessKeyId, string Secret)> EnsureAsync(ServerOptions options, ICofferStore store, AccessKeyDirectory directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.DataDir, CredentialsFileName);
        var (id, secret) = options is { DevAccessKeyId: { } envId, DevSecretAccessKey: { } envSecret }
            ? (envId, envSecret)
            : ReadCredentialsFile(path) ?? (IdentityIds.AccessKeyId(), IdentityIds.SecretAccessKey());

        // The admin is an ordinary IAM user with an allow-everything policy, so key policies that
        // delegate to the account let it in, and a key policy that names nobody keeps it out.
        var arn = IdentityIds.UserArn(options.AccountId, UserName);
        await store.TryInsertPrincipalAsync(
            new PrincipalRecord(arn, options.AccountId, PrincipalKind.User, UserName, IdentityIds.UserId(), "/", options.Clock.GetUtcNow()), cancellationToken);
        await store.PutPrincipalPolicyAsync(new PrincipalPolicy(arn, AdminPolicyName, AdminPolicy), cancellationToken);
        var secretBytes = Encoding.UTF8.GetBytes(secret);
        try
        {
            using var sealedSecret = SecretBytes.CopyOf(secretBytes);
            await directory.AddAsync(options.AccountId, arn, UserName, id, sealedSecret, cancellationToken);
        }
        finally
        {
            SecretBytes.Zero(secretBytes);
        }

        WriteCredentialsFile(path, id, secret);
        return (id, secret);
    }

    private static (string, string)? ReadCredentialsFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        string? id = null, secret = null;
        foreach (var line in File.ReadAllLines(path))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            var name = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (name == "aws_access_key_id")
            {
                id = value;
            }
            else if (name == "aws_secret_access_key")
            {
                secret = value;
            }
        }

        return id is not null && secret is not null ? (id, secret) : null;
    }

    private static void WriteCredentialsFile(string path, string id, string secret)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var writer = new StreamWriter(new FileStream(path, options));
        writer.Write($"[{Profile}]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n");
    }
}
