using Coffer.Core;
using Coffer.Storage;

namespace Coffer.Service.Keys;

/// <summary>
/// Turns a caller's <c>KeyId</c> into a stored key, with the errors AWS gives for each way it
/// can be wrong. Checks run in AWS's order: the ARN's region, then the alias, then the id's
/// form, then existence.
/// </summary>
public sealed class KeyResolver(ICofferStore store, KeyCache keys)
{
    public async ValueTask<KmsKey> ResolveAsync(RequestContext context, string keyId, KeyIdForms forms, CrossAccountUse crossAccount, CancellationToken cancellationToken)
    {
        if (!KeyReference.TryParse(keyId, out var reference))
        {
            KmsErrors.Throw(KmsErrors.InvalidArn, $"Invalid arn {keyId}");
        }

        if (reference.Region is { } arnRegion && arnRegion != context.Region)
        {
            KmsErrors.Throw(KmsErrors.NotFound, $"Invalid arn {arnRegion}");
        }

        string id;
        if (reference.IsAlias)
        {
            if (forms == KeyIdForms.KeyOnly)
            {
                if (reference.Kind == KeyReferenceKind.AliasArn)
                {
                    KmsErrors.Throw(KmsErrors.InvalidArn, "Key Aliases are not supported for this operation.");
                }

                KmsErrors.Throw(KmsErrors.NotFound, $"Invalid keyId '{keyId}'");
            }

            var aliasAccount = reference.AccountId ?? context.AccountId;
            var alias = await store.FindAliasAsync(aliasAccount, context.Region, reference.Name, cancellationToken);
            if (alias is null)
            {
                KmsErrors.AliasNotFound(Arns.Alias(context.Region, aliasAccount, reference.Name));
            }

            id = alias.TargetKeyId;
        }
        else
        {
            id = reference.Name;
            if (!IsKeyIdForm(id))
            {
                KmsErrors.Throw(KmsErrors.NotFound, $"Invalid keyId '{keyId}'");
            }
        }

        var arn = reference.Kind == KeyReferenceKind.KeyArn ? keyId : Arns.Key(context.Region, reference.AccountId ?? context.AccountId, id);
        if (crossAccount == CrossAccountUse.No && reference.AccountId is { } owner && owner != context.AccountId)
        {
            // Refused before the lookup, so the answer says nothing about whether the key exists.
            KmsErrors.KeyNotFound(arn);
        }

        var key = await keys.FindAsync(context.Region, id, cancellationToken);
        if (key is null || key.AccountId != (reference.AccountId ?? context.AccountId))
        {
            KmsErrors.KeyNotFound(arn);
        }

        return key;
    }

    /// <summary>Forgets the cached record of a key this node has just changed.</summary>
    public void Changed(string keyId) => keys.Invalidate(keyId);

    /// <summary>A KMS key id is a UUID in its 36-character form (multi-Region ids come later).</summary>
    public static bool IsKeyIdForm(string id) => id.Length == 36 && Guid.TryParseExact(id, "D", out _);
}
