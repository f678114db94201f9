using System.Text;
using Coffer.Crypto;
using Coffer.Service.Identity;
using Coffer.Storage;

namespace Coffer.Server;

/// <summary>
/// Creates an account's first administrator: an IAM user with an allow-everything inline policy
/// and an access key. Used for the dev account at start and for <c>coffer account create</c>.
/// </summary>
public static class AccountBootstrap
{
    public const string AdminPolicyName = "AdministratorAccess";
    private const string AdminPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";

    /// <summary>Ensures the admin user exists with its policy and registers the given access key for it.</summary>
    public static async Task EnsureAdminAsync(ICofferStore store, AccessKeyDirectory directory, TimeProvider clock, string accountId, string userName,
        string accessKeyId, string secret, CancellationToken cancellationToken)
    {
        // The admin is an ordinary IAM user with an allow-everything policy, so key policies that
        // delegate to the account let it in, and a key policy that names nobody keeps it out.
        var arn = IdentityIds.UserArn(accountId, userName);
        await store.TryInsertPrincipalAsync(new PrincipalRecord(arn, accountId, PrincipalKind.User, userName, IdentityIds.UserId(), "/", clock.GetUtcNow()), cancellationToken);
        await store.PutPrincipalPolicyAsync(new PrincipalPolicy(arn, AdminPolicyName, AdminPolicy), cancellationToken);
        var secretBytes = Encoding.UTF8.GetBytes(secret);
        try
        {
            using var sealedSecret = SecretBytes.CopyOf(secretBytes);
            await directory.AddAsync(accountId, arn, userName, accessKeyId, sealedSecret, cancellationToken);
        }
        finally
        {
            SecretBytes.Zero(secretBytes);
        }
    }
}
