using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Server;

/// <summary>
/// The audit signing key: made on first start, its private part stored only sealed by the record
/// barrier, its public part stored in the clear and written to <c>DIR/audit-public-key.pem</c>
/// so operators can keep a copy for <c>coffer audit verify --public-key</c>.
/// </summary>
public static class AuditKeys
{
    public const string PrivateSetting = "audit-signing-key.v1";
    public const string PublicSetting = "audit-public-key.v1";
    public const string PublicKeyFileName = "audit-public-key.pem";
    internal const string RecordId = "audit-signing-key";

    public static async Task<AuditSigningKey> OpenAsync(ICofferStore store, RecordBarrier barrier, string dataDir, CancellationToken cancellationToken)
    {
        var sealedKey = await store.GetSettingAsync(PrivateSetting, cancellationToken);
        if (sealedKey is null)
        {
            using var fresh = AuditSigningKey.Create();
            using var pkcs8 = fresh.ExportPkcs8();
            await store.TryInsertSettingAsync(PrivateSetting, barrier.Seal(RecordId, pkcs8.Span), cancellationToken);
            await store.TryInsertSettingAsync(PublicSetting, fresh.PublicKey, cancellationToken);
            sealedKey = await store.GetSettingAsync(PrivateSetting, cancellationToken) ?? throw new InvalidOperationException("The audit signing key could not be stored.");
        }

        using var opened = barrier.Open(RecordId, sealedKey);
        var key = AuditSigningKey.FromPkcs8(opened.Span);
        await OwnerOnlyFile.WriteAllTextAsync(Path.Combine(dataDir, PublicKeyFileName), key.PublicKeyPem, cancellationToken);
        return key;
    }
}
