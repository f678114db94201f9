using Coffer.Barrier;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Server;

/// <summary>
/// The audit signing key as the host opens it: from <see cref="AuditKeyCustody"/>, with its public
/// part written to <c>DIR/audit-public-key.pem</c> so operators can keep a copy for
/// <c>coffer audit verify --public-key</c>.
/// </summary>
public static class AuditKeys
{
    public const string PublicSetting = AuditKeyCustody.PublicSetting;
    public const string PublicKeyFileName = "audit-public-key.pem";

    public static async Task<AuditSigningKey> OpenAsync(ICofferStore store, RecordBarrier barrier, string dataDir, CancellationToken cancellationToken)
    {
        var key = await AuditKeyCustody.OpenAsync(store, barrier, cancellationToken);
        try
        {
            await OwnerOnlyFile.WriteAllTextAsync(Path.Combine(dataDir, PublicKeyFileName), key.PublicKeyPem, cancellationToken);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
