using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Barrier;

/// <summary>
/// Custody of the audit signing key: made on first start, its private part stored only encrypted
/// by the record barrier, its public part stored in the clear for verifiers.
/// </summary>
public static class AuditKeyCustody
{
    public const string PrivateSetting = "audit-signing-key.v1";
    public const string PublicSetting = "audit-public-key.v1";

    /// <summary>The signing key, made and stored if the store has none yet; the caller disposes it.</summary>
    public static async Task<AuditSigningKey> OpenAsync(ICofferStore store, RecordBarrier barrier, CancellationToken cancellationToken)
    {
        var stored = await store.GetSettingAsync(PrivateSetting, cancellationToken);
        if (stored is null)
        {
            using var fresh = AuditSigningKey.Create();
            using var pkcs8 = fresh.ExportPkcs8();
            await store.TryInsertSettingAsync(PrivateSetting, barrier.Encrypt(RecordIds.AuditSigningKey, pkcs8.Span), cancellationToken);
            await store.TryInsertSettingAsync(PublicSetting, fresh.PublicKey, cancellationToken);
            // Another node may have won the race: always use what the store holds.
            stored = await store.GetSettingAsync(PrivateSetting, cancellationToken) ?? throw new InvalidOperationException("The audit signing key could not be stored.");
        }

        using var decrypted = barrier.Decrypt(RecordIds.AuditSigningKey, stored);
        return AuditSigningKey.FromPkcs8(decrypted.Span);
    }
}
