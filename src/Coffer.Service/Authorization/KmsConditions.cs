using Coffer.Core;
using Coffer.Policy;

namespace Coffer.Service.Authorization;

/// <summary>The <c>kms:</c> and request condition keys operations add to their authorization facts.</summary>
public static class KmsConditions
{
    /// <summary><c>kms:EncryptionContext:&lt;key&gt;</c> for each pair and <c>kms:EncryptionContextKeys</c>.</summary>
    public static RequestFacts EncryptionContext(this RequestFacts facts, IReadOnlyDictionary<string, string>? context)
    {
        if (context is null || context.Count == 0)
        {
            return facts;
        }

        foreach (var (key, value) in context)
        {
            facts.With($"kms:EncryptionContext:{key}", value);
        }

        return facts.With("kms:EncryptionContextKeys", context.Keys.ToList());
    }

    public static RequestFacts EncryptionAlgorithm(this RequestFacts facts, string? algorithm) =>
        facts.With("kms:EncryptionAlgorithm", algorithm ?? Core.EncryptionAlgorithms.SymmetricDefault);

    /// <summary><c>kms:RequestAlias</c>, when the caller named the key by an alias.</summary>
    public static RequestFacts RequestAlias(this RequestFacts facts, string? keyId)
    {
        if (keyId is not null && KeyReference.TryParse(keyId, out var reference) && reference.IsAlias)
        {
            facts.With("kms:RequestAlias", reference.Name);
        }

        return facts;
    }

    /// <summary><c>aws:RequestTag/&lt;key&gt;</c> and <c>aws:TagKeys</c>.</summary>
    public static RequestFacts RequestTags(this RequestFacts facts, IReadOnlyList<Tag>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return facts;
        }

        foreach (var tag in tags)
        {
            facts.With($"aws:RequestTag/{tag.TagKey}", tag.TagValue);
        }

        return facts.With("aws:TagKeys", tags.Select(t => t.TagKey).ToList());
    }
}
