using Coffer.Core;

namespace Coffer.Service.Keys;

/// <summary>Which operations each key state allows, as AWS's key state table gives them.</summary>
public static class KeyStateRules
{
    /// <summary>Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, Sign, …: only an enabled key.</summary>
    public static void EnsureUsableForCrypto(KmsKey key)
    {
        switch (key.State)
        {
            case KeyState.Enabled:
                return;
            case KeyState.Disabled:
                KmsErrors.KeyDisabled(key.Arn);
                break;
            case KeyState.PendingImport:
                KmsErrors.KeyPendingImport(key.Arn);
                break;
            default:
                KmsErrors.KeyPendingDeletion(key.Arn);
                break;
        }
    }

    /// <summary>Management operations that a pending deletion forbids (EnableKey, TagResource, …).</summary>
    public static void EnsureNotPendingDeletion(KmsKey key)
    {
        if (key.State == KeyState.PendingDeletion)
        {
            KmsErrors.KeyPendingDeletion(key.Arn);
        }
    }
}
