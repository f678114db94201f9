using System.CommandLine;
using Coffer.Barrier;
using Coffer.Crypto;
using Coffer.Server;

namespace Coffer.Cli;

/// <summary><c>coffer init</c>: a new production data folder with its root of trust.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The new data folder (must not hold a store yet)", HelpName = "DIR", Required = true };
        var storage = StorageFlag.Create();
        var seal = new Option<string>("--seal") { Description = "shamir (shares held by operators) or pkcs11 (a key inside an HSM)", HelpName = "KIND", Required = true };
        var library = new Option<string?>("--pkcs11-library") { Description = "The HSM's PKCS#11 library (.so)", HelpName = "FILE" };
        var token = new Option<string?>("--pkcs11-token-label") { Description = "The HSM token's label", HelpName = "LABEL" };
        var keyLabel = new Option<string?>("--pkcs11-key-label") { Description = "The label of the root key in the token (made if absent)", HelpName = "LABEL" };
        var pinFile = new Option<string?>("--pkcs11-pin-file") { Description = "A file holding the token's user PIN (else COFFER_PKCS11_PIN)", HelpName = "FILE" };
        seal.AcceptOnlyFromAmong("shamir", "pkcs11");
        var shares = new Option<int>("--shares") { Description = "How many shares to make", HelpName = "N", DefaultValueFactory = _ => 5 };
        var threshold = new Option<int>("--threshold") { Description = "How many shares unseal", HelpName = "T", DefaultValueFactory = _ => 3 };
        var account = new Option<string>("--account-id") { Description = "The first account's 12-digit id", HelpName = "ID", DefaultValueFactory = _ => ServerOptions.DefaultAccountId };
        var command = new Command("init", """
            Create a production data folder: a root key split into N Shamir shares (T of them unseal it) or
            generated inside an HSM (--seal pkcs11), the domain key wrapped under it, the audit signing key,
            and the first account with its admin. Shares and the admin's access key are printed once, here,
            and stored nowhere: hand each share to a different operator.
            """)
        {
            dataDir, storage.Engine, storage.Connection, seal, shares, threshold, account, library, token, keyLabel, pinFile,
        };
        StorageFlag.Validate(command, storage);
        command.SetAction(async (result, cancellationToken) =>
        {
            HsmKey? hsm = null;
            if (result.GetValue(seal) == "pkcs11")
            {
                var pin = Pin.Read(result.GetValue(pinFile));
                if (result.GetValue(library) is not { } lib || result.GetValue(token) is not { } tokenLabel || result.GetValue(keyLabel) is not { } key || pin is null)
                {
                    Console.Error.WriteLine("coffer: --seal pkcs11 needs --pkcs11-library, --pkcs11-token-label, --pkcs11-key-label and a PIN (COFFER_PKCS11_PIN or --pkcs11-pin-file).");
                    return ExitCodes.Usage;
                }

                hsm = new HsmKey(lib, tokenLabel, key, pin);
            }

            var n = result.GetValue(shares);
            var t = result.GetValue(threshold);
            if (hsm is null && (t < 2 || t > n || n > Shamir.MaxShares))
            {
                Console.Error.WriteLine("coffer: use 2 <= --threshold <= --shares <= 255.");
                return ExitCodes.Usage;
            }

            try
            {
                var stores = StorageFlag.Read(result, storage, dataDir);
                var dir = stores.DataDir;
                using var initialized = await ProductionInit.RunAsync(stores, n, t, result.GetValue(account)!, TimeProvider.System, cancellationToken, hsm);
                if (hsm is not null)
                {
                    Console.WriteLine($"Initialised {dir} with a PKCS#11 seal: root key '{hsm.Key}' in token '{hsm.Token}' (non-extractable).");
                }
                else
                {
                    Console.WriteLine($"Initialised {dir} with a Shamir seal: {n} shares, {t} needed to unseal.");
                    Console.WriteLine("Each share is shown only now. Give each to a different operator; Coffer keeps none of them.");
                }

                ShareOutput.Print(initialized.Shares);

                Console.WriteLine($"Account: {initialized.AccountId}");
                Console.WriteLine($"Admin access key id:     {initialized.AccessKeyId}");
                Console.WriteLine($"Admin secret access key: {initialized.SecretAccessKey}");
                Console.WriteLine($"Audit public key: {Path.Combine(dir, AuditKeys.PublicKeyFileName)} (keep a copy elsewhere)");
                return ExitCodes.Success;
            }
            catch (Exception error) when (error is IOException or InvalidOperationException or UnauthorizedAccessException or SealException)
            {
                Console.Error.WriteLine($"coffer: {error.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
