namespace Coffer.Core;

/// <summary>A friendly name for a key, scoped to one account and region as on AWS.</summary>
public sealed record KmsAlias
{
    public required string AccountId { get; init; }
    public required string Region { get; init; }

    /// <summary>The full name, including the <c>alias/</c> prefix.</summary>
    public required string Name { get; init; }

    public required string TargetKeyId { get; init; }
    public required DateTimeOffset CreationDate { get; init; }
    public required DateTimeOffset LastUpdatedDate { get; init; }

    public string Arn => Arns.Alias(Region, AccountId, Name);
}

/// <summary>A tag on a key.</summary>
public readonly record struct KmsTag(string Key, string Value);
