using Coffer.Crypto;
using Coffer.Service.Identity;
using Coffer.Service.Keys;
using Coffer.Storage;

namespace Coffer.Server;

/// <summary>
/// Rotates the domain key while the server serves: a new version is made and wrapped under the
/// root key; the barrier then seals with it and still opens the old one; every stored secret
/// (key material, access-key and session secrets, the audit signing key) is sealed again under
/// the new version; finally the old version is retired. A crash midway leaves both versions
/// stored and readable, and running the rotation again finishes the job.
/// </summary>
public static class DomainKeyRotation
{
    public sealed record Outcome(uint Version, int Resealed);

    public static async Task<Outcome> RunAsync(ICofferStore store, Keyring keyring, ISeal seal, CancellationToken cancellationToken)
    {
        var existing = await KeyHierarchy.WrappedKeysAsync(store, cancellationToken);
        var version = existing.Max(k => k.Version) + 1;
        var newKey = SecretBytes.Random(32);
        await store.ReplaceSettingsAsync(new Dictionary<string, byte[]?>
        {
            [KeyHierarchy.SettingFor(version)] = seal.WrapDomainKey(newKey),
            [KeyHierarchy.CurrentVersionSetting] = KeyHierarchy.VersionBytes(version),
        }, cancellationToken);
        var rotating = keyring.Barrier.WithNewCurrent(newKey, version);
        keyring.Replace(rotating);

        var resealed = 0;
        var keys = (await store.ListAllKeysAsync(cancellationToken)).ToDictionary(k => k.KeyId, StringComparer.Ordinal);
        foreach (var material in await store.ListAllMaterialAsync(cancellationToken))
        {
            if (RecordBarrier.VersionOf(material.Sealed) != version && keys.TryGetValue(material.KeyId, out var key))
            {
                await store.UpdateMaterialAsync(material with { Sealed = Reseal(rotating, KeyMaterialVault.RecordId(key, material.Version), material.Sealed) }, cancellationToken);
                resealed++;
            }
        }

        foreach (var accessKey in await store.ListAllAccessKeysAsync(cancellationToken))
        {
            if (RecordBarrier.VersionOf(accessKey.SealedSecret) != version)
            {
                await store.UpsertAccessKeyAsync(accessKey with { SealedSecret = Reseal(rotating, AccessKeyDirectory.SecretRecordId(accessKey.AccessKeyId), accessKey.SealedSecret) }, cancellationToken);
                resealed++;
            }
        }

        foreach (var session in await store.ListAllSessionsAsync(cancellationToken))
        {
            if (RecordBarrier.VersionOf(session.SealedSecret) != version)
            {
                await store.UpdateSessionSecretAsync(session.AccessKeyId, Reseal(rotating, AccessKeyDirectory.SecretRecordId(session.AccessKeyId), session.SealedSecret), cancellationToken);
                resealed++;
            }
        }

        if (await store.GetSettingAsync(AuditKeys.PrivateSetting, cancellationToken) is { } signingKey && RecordBarrier.VersionOf(signingKey) != version)
        {
            await store.ReplaceSettingsAsync(new Dictionary<string, byte[]?> { [AuditKeys.PrivateSetting] = Reseal(rotating, AuditKeys.RecordId, signingKey) }, cancellationToken);
            resealed++;
        }

        keyring.Replace(rotating.CurrentOnly());
        await store.ReplaceSettingsAsync(existing.ToDictionary(k => KeyHierarchy.SettingFor(k.Version), _ => (byte[]?)null), cancellationToken);
        return new Outcome(version, resealed);
    }

    private static byte[] Reseal(RecordBarrier barrier, string recordId, byte[] sealedRecord)
    {
        using var plaintext = barrier.Open(recordId, sealedRecord);
        return barrier.Seal(recordId, plaintext.Span);
    }
}
