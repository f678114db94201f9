using System.CommandLine;
using Coffer.Barrier;
using Coffer.Crypto;
using Coffer.Server;

namespace Coffer.Cli;

/// <summary><c>coffer rekey</c>: new shares, or another seal, for the same domain key.</summary>
internal static class RekeyCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "The data folder (stop the server first; on PostgreSQL, every node of the database)",
            HelpName = "DIR",
            Required = true,
        };
        var storage = StorageFlag.Create();
        var seal = new Option<string>("--seal") { Description = "The new seal: shamir or pkcs11", HelpName = "KIND", DefaultValueFactory = _ => "shamir" };
        seal.AcceptOnlyFromAmong("shamir", "pkcs11");
        var shares = new Option<int>("--shares") { Description = "How many new shares", HelpName = "N", DefaultValueFactory = _ => 5 };
        var threshold = new Option<int>("--threshold") { Description = "How many new shares unseal", HelpName = "T", DefaultValueFactory = _ => 3 };
        var library = new Option<string?>("--pkcs11-library") { Description = "The new HSM's PKCS#11 library", HelpName = "FILE" };
        var token = new Option<string?>("--pkcs11-token-label") { Description = "The new HSM token's label", HelpName = "LABEL" };
        var keyLabel = new Option<string?>("--pkcs11-key-label") { Description = "The new root key's label (made if absent)", HelpName = "LABEL" };
        var currentLibrary = new Option<string?>("--current-pkcs11-library")
        {
            Description = "The current HSM's PKCS#11 library, when the data folder is sealed by one (else COFFER_PKCS11_LIBRARY); must be the one given to init",
            HelpName = "FILE",
        };
        var pinFile = new Option<string?>("--pkcs11-pin-file") { Description = "A file with the HSM PIN (else COFFER_PKCS11_PIN), for the current or the new HSM", HelpName = "FILE" };
        var command = new Command("rekey", """
            Replace the root of trust without touching key material. The current shares are read from standard
            input, one per line (or the current HSM is opened with its PIN, through --current-pkcs11-library);
            the domain key is wrapped again under a new root key, and the new shares are printed once. Stop the
            server first; on PostgreSQL stop every node of the database, since a running node keeps the old
            root of trust until it restarts.
            """)
        {
            dataDir, storage.Engine, storage.Connection, seal, shares, threshold, library, token, keyLabel, currentLibrary, pinFile,
        };
        StorageFlag.Validate(command, storage);
        command.SetAction(async (result, cancellationToken) =>
        {
            var pin = Pin.Read(result.GetValue(pinFile));
            HsmKey? hsm = null;
            if (result.GetValue(seal) == "pkcs11")
            {
                if (result.GetValue(library) is not { } lib || result.GetValue(token) is not { } tokenLabel || result.GetValue(keyLabel) is not { } key || pin is null)
                {
                    Console.Error.WriteLine("coffer: --seal pkcs11 needs --pkcs11-library, --pkcs11-token-label, --pkcs11-key-label and a PIN.");
                    return ExitCodes.Usage;
                }

                hsm = new HsmKey(lib, tokenLabel, key, pin);
            }
            else if (result.GetValue(threshold) is var t && (t < 2 || t > result.GetValue(shares) || result.GetValue(shares) > Shamir.MaxShares))
            {
                Console.Error.WriteLine("coffer: use 2 <= --threshold <= --shares <= 255.");
                return ExitCodes.Usage;
            }

            if (!ShareInput.TryReadAll(out var current))
            {
                return ExitCodes.Failure;
            }

            try
            {
                var currentLibraryPath = result.GetValue(currentLibrary) ?? (Environment.GetEnvironmentVariable("COFFER_PKCS11_LIBRARY") is { Length: > 0 } env ? env : null);
                using var outcome = await OfflineRekey.RunAsync(StorageFlag.Read(result, storage, dataDir), current, pin, currentLibraryPath, result.GetValue(shares), result.GetValue(threshold), hsm, cancellationToken);
                if (hsm is not null)
                {
                    Console.WriteLine($"Rekeyed: the domain key is now wrapped by '{hsm.Key}' in token '{hsm.Token}'.");
                }
                else
                {
                    Console.WriteLine($"Rekeyed: {outcome.Shares.Count} new shares, {result.GetValue(threshold)} needed to unseal. The old shares no longer unseal.");
                    ShareOutput.Print(outcome.Shares);
                }

                return ExitCodes.Success;
            }
            catch (Exception error) when (error is SealException or InvalidOperationException or IOException)
            {
                Console.Error.WriteLine($"coffer: {error.Message}");
                return ExitCodes.Failure;
            }
            finally
            {
                foreach (var share in current)
                {
                    share.Dispose();
                }
            }
        });
        return command;
    }
}
