using Coffer.Core;

namespace Coffer.Service.Keys;

/// <summary>The rules AWS applies to tags beyond the model's lengths, checked in AWS's order.</summary>
public static class TagRules
{
    public const int MaxTagsPerKey = 50;

    public static List<KmsTag> Validate(IReadOnlyList<Tag>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return [];
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (!seen.Add(tag.TagKey))
            {
                KmsErrors.Throw(KmsErrors.Tag, "Duplicate tag keys");
            }
        }

        if (tags.Count > MaxTagsPerKey)
        {
            KmsErrors.Throw(KmsErrors.Tag, "Too many tags");
        }

        foreach (var tag in tags)
        {
            if (tag.TagKey.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                KmsErrors.Throw(KmsErrors.Tag, "Tags beginning with aws: are reserved");
            }
        }

        return tags.Select(t => new KmsTag(t.TagKey, t.TagValue)).ToList();
    }
}
