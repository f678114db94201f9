using Coffer.Barrier;
using Coffer.Crypto;
using Coffer.Service.Identity;

namespace Coffer.Server;

/// <summary>
/// What <c>coffer init</c> hands out once: the shares (their text, in secret buffers the receiver
/// disposes once printed) and the first admin's key.
/// </summary>
public sealed record Initialized(IReadOnlyList<SecretBytes> Shares, string AccountId, string AccessKeyId, string SecretAccessKey) : IDisposable
{
    public void Dispose()
    {
        foreach (var share in Shares)
        {
            share.Dispose();
        }
    }
}

/// <summary>Creates a Shamir-sealed data folder. Nothing secret is written but sealed records.</summary>
public static class ProductionInit
{
    /// <summary>Initialises <paramref name="dataDir"/> with its store in SQLite there.</summary>
    public static Task<Initialized> RunAsync(string dataDir, int shares, int threshold, string accountId, TimeProvider clock, CancellationToken cancellationToken,
        HsmKey? hsm = null) =>
        RunAsync(new StorageOptions { DataDir = dataDir }, shares, threshold, accountId, clock, cancellationToken, hsm);

    /// <summary>Initialises the data folder of <paramref name="storage"/>, with its store in the engine that names.</summary>
    public static async Task<Initialized> RunAsync(StorageOptions storage, int shares, int threshold, string accountId, TimeProvider clock,
        CancellationToken cancellationToken, HsmKey? hsm = null)
    {
        var dataDir = storage.DataDir;
        if (await StoreFactory.HasStoreAsync(storage, cancellationToken))
        {
            throw new InvalidOperationException($"{storage.Describe()} already holds a Coffer store; init refuses to overwrite it.");
        }

        Directory.CreateDirectory(dataDir);
        File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            return await CreateAsync(storage, shares, threshold, accountId, hsm, clock, cancellationToken);
        }
        catch
        {
            // A half-made store would be refused by init and unusable by the server: remove it. On
            // PostgreSQL the files here are only the audit public key; the tables stay, and init can
            // run again only once the operator has emptied the database (its settings are the mark).
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(dataDir, "*.db*").Append(Path.Combine(dataDir, AuditKeys.PublicKeyFileName)).Where(File.Exists))
            {
                File.Delete(file);
            }

            throw;
        }
    }

    private static async Task<Initialized> CreateAsync(StorageOptions storage, int shares, int threshold, string accountId, HsmKey? hsm, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var dataDir = storage.DataDir;
        await using var store = await StoreFactory.OpenStoreAsync(storage, cancellationToken);
        ISeal seal;
        IReadOnlyList<Shamir.Share> parts = [];
        if (hsm is not null)
        {
            seal = hsm.Open(createKey: true);
        }
        else
        {
            (var shamir, parts) = ShamirSeal.Create(shares, threshold);
            seal = shamir;
        }

        using (seal)
        {
            try
            {
                if (hsm is not null)
                {
                    await SealConfig.ForHsm(hsm).WriteAsync(store, cancellationToken);
                }
                else
                {
                    await store.TryInsertSettingAsync(SealConfig.ShareFingerprints, parts.SelectMany(ShareText.Fingerprint).ToArray(), cancellationToken);
                    await new SealConfig(SealConfig.ShamirKind, shares, threshold).WriteAsync(store, cancellationToken);
                }

                using var keyring = new Keyring(clock);
                keyring.Install(await KeyHierarchy.OpenBarrierAsync(seal, store, cancellationToken));
                using var directory = new AccessKeyDirectory(store, keyring, clock);
                var accessKeyId = IdentityIds.AccessKeyId();
                var secret = IdentityIds.SecretAccessKey();
                await AccountBootstrap.EnsureAdminAsync(store, directory, clock, accountId, DevAdmin.UserName, accessKeyId, secret, cancellationToken);
                await OperatorAccount.RecordAsync(store, accountId, cancellationToken);
                (await AuditKeys.OpenAsync(store, keyring.Barrier, dataDir, cancellationToken)).Dispose();
                return new Initialized(parts.Select(ShareText.Encode).ToList(), accountId, accessKeyId, secret);
            }
            finally
            {
                foreach (var part in parts)
                {
                    part.Dispose();
                }
            }
        }
    }
}
