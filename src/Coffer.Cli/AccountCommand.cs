using System.CommandLine;
using System.Text.RegularExpressions;
using Coffer.Server;

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
        var storage = StorageFlag.Create();
        var create = new Command("create", "Create an account with an admin user (full IAM permissions) and print the admin's access key once.") { id, dataDir, storage.Engine, storage.Connection };
        StorageFlag.Validate(create, storage);
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
                await using var folder = await DataFolder.OpenAsync(StorageFlag.Read(result, storage, dataDir), TimeProvider.System, cancellationToken);
                if (await folder.CreateAccountAsync(accountId, cancellationToken) is not { } created)
                {
                    Console.Error.WriteLine($"coffer: account {accountId} already exists.");
                    return ExitCodes.Failure;
                }

                Console.WriteLine($"Account: {accountId}");
                Console.WriteLine($"Admin user: {created.AdminArn}");
                Console.WriteLine($"Admin access key id:     {created.AccessKeyId}");
                Console.WriteLine($"Admin secret access key: {created.SecretAccessKey}");
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
