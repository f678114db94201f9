using System.CommandLine;
using Coffer.Cli;

var root = new RootCommand("Coffer: a self-hosted key management service that speaks the AWS KMS API.")
{
    ServerCommand.Create(),
    AccountCommand.Create(),
    AuditCommand.Create(),
    InitCommand.Create(),
    RekeyCommand.Create(),
    MigrateCommand.Create(),
    StoreCopyCommands.MigrateStore(),
    StoreCopyCommands.Backup(),
    StoreCopyCommands.Restore(),
    SealCommands.Unseal(),
    SealCommands.Seal(),
    SealCommands.Status(),
    SealCommands.RotateDomainKey(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"coffer: {error.Message}");
    }

    Console.Error.WriteLine("Try 'coffer --help'.");
    return ExitCodes.Usage;
}

return await parse.InvokeAsync();
