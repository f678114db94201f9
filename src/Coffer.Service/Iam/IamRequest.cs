using Coffer.Core;
namespace Coffer.Service.Iam;

/// <summary>
/// The parameters of an IAM or STS request, by their API names, with IAM's validation errors for
/// missing or malformed ones. Lists keep the API's <c>member.N</c> numbering.
/// </summary>
public sealed class IamRequest(IReadOnlyDictionary<string, string> parameters)
{
    public IReadOnlyDictionary<string, string> Parameters => parameters;

    public string? Optional(string name) => parameters.TryGetValue(name, out var value) ? value : null;

    public string Required(string name) =>
        Optional(name) ?? throw new KmsException(IamErrors.Validation,
            $"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    public int? OptionalInt(string name)
    {
        var value = Optional(name);
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new KmsException(IamErrors.Validation, $"Invalid value for parameter {name}: {value}");
    }

    /// <summary><c>Tags.member.N.Key</c> / <c>Tags.member.N.Value</c>.</summary>
    public List<KmsTag> Tags(string name = "Tags")
    {
        var tags = new List<KmsTag>();
        for (var i = 1; Optional($"{name}.member.{i}.Key") is { } key; i++)
        {
            tags.Add(new KmsTag(key, Optional($"{name}.member.{i}.Value") ?? ""));
        }

        return tags;
    }
}
