using Coffer.Barrier;

namespace Coffer.Server;

/// <summary>What the dev server prints at start: the warning, the admin key, and last the listening line.</summary>
internal static class Banner
{
    public static void Print(ServerOptions options, Uri address, string? accessKeyId, string? secret, SealStatus status, string? sealProblem)
    {
        var console = options.Console;
        if (!options.Dev)
        {
            var state = !status.Sealed ? "unsealed"
                : sealProblem is not null ? $"sealed: {sealProblem}"
                : $"sealed: unseal with {status.Threshold} shares, 'coffer unseal --address {address.ToString().TrimEnd('/')}'";
            console.WriteLine($"Seal: {status.Seal} ({state})");
            console.WriteLine($"Regions: {(options.Regions.Count == 0 ? "us-east-1" : string.Join(", ", options.Regions))}");
            console.WriteLine($"Coffer listening on {address.ToString().TrimEnd('/')}");
            console.Flush();
            return;
        }

        var credentials = Path.Combine(options.DataDir, DevAdmin.CredentialsFileName);
        console.WriteLine("WARNING: dev mode. The root key is a file in the data folder; anyone who copies the folder can read every key. Never use dev mode for real data.");
        console.WriteLine($"Account: {options.AccountId}");
        console.WriteLine($"Regions: {(options.Regions.Count == 0 ? "any region a request is signed for" : string.Join(", ", options.Regions))}");
        console.WriteLine($"Admin access key id:     {accessKeyId}");
        console.WriteLine($"Admin secret access key: {secret}");
        console.WriteLine($"Credentials written to {credentials} (profile {DevAdmin.Profile}): AWS_SHARED_CREDENTIALS_FILE={credentials} AWS_PROFILE={DevAdmin.Profile}");
        console.WriteLine($"Coffer listening on {address.ToString().TrimEnd('/')}");
        console.Flush();
    }
}
