using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Barrier;

/// <summary>
/// Rotates the domain key while the server serves: a new version is made and wrapped under the
/// root key; the barrier then encrypts with it and still decrypts with the old one; every stored secret
/// (key material, access-key and session secrets, the audit signing key) is encrypted again under
/// the new version, and outstanding import parameters are dropped; finally the old version is retired. A crash midway leaves both versions
/// stored and readable, and running the rotation again finishes the job.
/// </summary>
public static class DomainKeyRotation
{
    public sealed record Outcome(uint Version, int Reencrypted);

    public static async Task<Outcome> RunAsync(ICofferStore store, Keyring keyring, ISeal seal, CancellationToken cancellationToken)
    {
        var existing = await KeyHierarchy.WrappedKeysAsync(store, cancellationToken);
        var version = existing.Max(k => k.Version) + 1;
        var newKey = SecretBytes.Random(RootKeyWrap.KeySize);
        await store.ReplaceSettingsAsync(new Dictionary<string, byte[]?>
        {
            [KeyHierarchy.SettingFor(version)] = seal.WrapDomainKey(newKey),
            [KeyHierarchy.CurrentVersionSetting] = KeyHierarchy.VersionBytes(version),
        }, cancellationToken);
        var rotating = keyring.Barrier.WithNewCurrent(newKey, version);
        keyring.Replace(rotating);

        var reencrypted = 0;
        var keys = (await store.ListAllKeysAsync(cancellationToken)).ToDictionary(k => k.KeyId, StringComparer.Ordinal);
        foreach (var material in await store.ListAllMaterialAsync(cancellationToken))
        {
            if (RecordBarrier.VersionOf(material.Sealed) != version && keys.TryGetValue(material.KeyId, out var key))
            {
                // Material deleted or replaced since the listing stays as it is now.
                if (await store.UpdateMaterialAsync(material with { Sealed = Reencrypt(rotating, RecordIds.KeyMaterial(key.Arn, material.Version), material.Sealed) },
                        material.Sealed, cancellationToken))
                {
                    reencrypted++;
                }
            }
        }

        foreach (var accessKey in await store.ListAllAccessKeysAsync(cancellationToken))
        {
            if (RecordBarrier.VersionOf(accessKey.SealedSecret) != version)
            {
                await store.UpsertAccessKeyAsync(accessKey with { SealedSecret = Reencrypt(rotating, RecordIds.AccessKeySecret(accessKey.AccessKeyId), accessKey.SealedSecret) }, cancellationToken);
                reencrypted++;
            }
        }

        foreach (var session in await store.ListAllSessionsAsync(cancellationToken))
        {
            if (RecordBarrier.VersionOf(session.SealedSecret) != version)
            {
                await store.UpdateSessionSecretAsync(session.AccessKeyId, Reencrypt(rotating, RecordIds.AccessKeySecret(session.AccessKeyId), session.SealedSecret), cancellationToken);
                reencrypted++;
            }
        }

        if (await store.GetSettingAsync(AuditKeyCustody.PrivateSetting, cancellationToken) is { } signingKey && RecordBarrier.VersionOf(signingKey) != version)
        {
            await store.ReplaceSettingsAsync(new Dictionary<string, byte[]?> { [AuditKeyCustody.PrivateSetting] = Reencrypt(rotating, RecordIds.AuditSigningKey, signingKey) }, cancellationToken);
            reencrypted++;
        }

        // Import parameters live a day at most: rather than reseal them, callers ask for new ones.
        await store.DeleteAllImportParametersAsync(cancellationToken);

        keyring.Replace(rotating.CurrentOnly());
        await store.ReplaceSettingsAsync(existing.ToDictionary(k => KeyHierarchy.SettingFor(k.Version), _ => (byte[]?)null), cancellationToken);
        return new Outcome(version, reencrypted);
    }

    private static byte[] Reencrypt(RecordBarrier barrier, string recordId, byte[] record)
    {
        using var plaintext = barrier.Decrypt(recordId, record);
        return barrier.Encrypt(recordId, plaintext.Span);
    }
}
