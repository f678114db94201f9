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

    public static async Task<(string AccessKeyId, string Secret)> EnsureAsync(ServerOptions options, ICofferStore store, AccessKeyDirectory directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.DataDir, CredentialsFileName);
        var (id, secret) = options is { DevAccessKeyId: { } envId, DevSecretAccessKey: { } envSecret }
            ? (envId, envSecret)
            : ReadCredentialsFile(path) ?? (IdentityIds.AccessKeyId(), IdentityIds.SecretAccessKey());
        if (!AccessKeyDirectory.IsAccessKeyIdForm(id))
        {
            // Requests signed with it would be refused before any lookup: say so at start instead.
            throw new InvalidOperationException(
                $"The dev admin's access key id '{id}' is not in AWS's form: 16 to 128 upper-case letters and digits (AKIA followed by 16, for example).");
        }

        await AccountBootstrap.EnsureAdminAsync(store, directory, options.Clock, options.AccountId, UserName, id, secret, cancellationToken);
        await WriteCredentialsFileAsync(path, id, secret, cancellationToken);
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

    private static Task WriteCredentialsFileAsync(string path, string id, string secret, CancellationToken cancellationToken) =>
        OwnerOnlyFile.WriteAllTextAsync(path, $"[{Profile}]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n", cancellationToken);
}
