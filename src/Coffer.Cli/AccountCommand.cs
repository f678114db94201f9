using System.CommandLine;
using System.Text.RegularExpressions;
using Coffer.Server;
using Coffer.Service.Identity;
using Coffer.Storage;

namespace Coffer.Cli;

/// <summary><c>coffer account create --id ID</c>: another account hosted by this deployment, with an admin user.</summary>
internal static partial class AccountCommand
{
    public static Command Create()
    {
        var id = new Option<string>("--id") { Description = "The new account's 12-digit id", HelpName = "ID", Required = true };
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "The data folder of the deployment (a running server on it sees the account within a second)",
            HelpName = "DIR",
            DefaultValueFactory = _ => ServerCommand.DevDataDir,
        };
        var create = new Command("create", "Create an account with an admin user (full IAM permissions) and print the admin's access key once.") { id, dataDir };
        create.SetAction(async (result, cancellationToken) =>
        {
            var accountId = result.GetValue(id)!;
            if (!AccountId().IsMatch(accountId))
            {
                Console.Error.WriteLine($"coffer: --id: '{accountId}' is not a 12-digit account id.");
                return ExitCodes.Usage;
            }

            try
            {
                await using var folder = await DataFolder.OpenAsync(Path.GetFullPath(result.GetValue(dataDir)!), TimeProvider.System, cancellationToken);
                if (await folder.Store.FindPrincipalAsync(accountId, PrincipalKind.User, DevAdmin.UserName, cancellationToken) is not null)
                {
                    Console.Error.WriteLine($"coffer: account {accountId} already exists.");
                    return ExitCodes.Failure;
                }

                var accessKeyId = IdentityIds.AccessKeyId();
                var secret = IdentityIds.SecretAccessKey();
                await AccountBootstrap.EnsureAdminAsync(folder.Store, folder.Directory, TimeProvider.System, accountId, DevAdmin.UserName, accessKeyId, secret, cancellationToken);
                Console.WriteLine($"Account: {accountId}");
                Console.WriteLine($"Admin user: {IdentityIds.UserArn(accountId, DevAdmin.UserName)}");
                Console.WriteLine($"Admin access key id:     {accessKeyId}");
                Console.WriteLine($"Admin secret access key: {secret}");
                return ExitCodes.Success;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or Barrier.SealException)
            {
                Console.Error.WriteLine($"coffer: {error.Message}");
                return ExitCodes.Failure;
            }
        });
        return new Command("account", "Manage the accounts this deployment hosts.") { create };
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();
}
