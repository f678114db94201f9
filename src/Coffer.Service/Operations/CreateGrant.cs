using Coffer.Core;
using Coffer.Crypto;
using Coffer.Service.Keys;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class GrantConstraints
{
    public Dictionary<string, string>? EncryptionContextSubset { get; init; }
    public Dictionary<string, string>? EncryptionContextEquals { get; init; }
}

public sealed class CreateGrantRequest
{
    public required string KeyId { get; init; }
    public required string GranteePrincipal { get; init; }
    public string? RetiringPrincipal { get; init; }
    public required List<string> Operations { get; init; }
    public GrantConstraints? Constraints { get; init; }
    public List<string>? GrantTokens { get; init; }
    public string? Name { get; init; }
    public bool? DryRun { get; init; }
}

public sealed class CreateGrantResponse
{
    public required string GrantToken { get; init; }
    public required string GrantId { get; init; }
}

/// <summary>
/// Gives a principal permission to use a key for the listed operations, within optional
/// encryption-context constraints. Takes effect at once. A repeated request with the same Name
/// and the same terms returns the existing grant, as AWS does.
/// </summary>
public sealed class CreateGrant(KmsRuntime runtime) : KmsOperation<CreateGrantRequest, CreateGrantResponse>
{
    public override async ValueTask<CreateGrantResponse> ExecuteAsync(RequestContext context, CreateGrantRequest request, CancellationToken cancellationToken)
    {
        var key = await runtime.Resolver.ResolveAsync(context, request.KeyId, KeyIdForms.KeyOnly, cancellationToken);
        var operations = request.Operations.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await runtime.Authorizer.AuthorizeAsync(context, "kms:CreateGrant", key, cancellationToken, f =>
        {
            f.With("kms:GrantOperations", operations).With("kms:GranteePrincipal", request.GranteePrincipal).With("kms:GrantIsForAWSResource", "false");
            if (request.RetiringPrincipal is not null)
            {
                f.With("kms:RetiringPrincipal", request.RetiringPrincipal);
            }

            var constraintTypes = new List<string>();
            if (request.Constraints?.EncryptionContextEquals is not null)
            {
                constraintTypes.Add("EncryptionContextEquals");
            }

            if (request.Constraints?.EncryptionContextSubset is not null)
            {
                constraintTypes.Add("EncryptionContextSubset");
            }

            if (constraintTypes.Count > 0)
            {
                f.With("kms:GrantConstraintType", constraintTypes);
            }
        });
        KeyStateRules.EnsureUsableForCrypto(key);
        if (operations.Count == 0)
        {
            KmsErrors.ValidationFailed("1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }

        if (request.DryRun == true)
        {
            KmsErrors.DryRunSucceeded();
        }

        if (request.Name is not null)
        {
            var existing = (await runtime.Store.ListGrantsAsync(key.KeyId, cancellationToken)).FirstOrDefault(g => g.Name == request.Name
                && g.GranteePrincipal == request.GranteePrincipal && g.RetiringPrincipal == request.RetiringPrincipal
                && g.Operations.SequenceEqual(operations)
                && SameContext(g.EncryptionContextEquals, request.Constraints?.EncryptionContextEquals)
                && SameContext(g.EncryptionContextSubset, request.Constraints?.EncryptionContextSubset));
            if (existing is not null)
            {
                return new CreateGrantResponse { GrantId = existing.GrantId, GrantToken = GrantTokens.For(existing.GrantId) };
            }
        }

        var grant = new GrantRecord(Convert.ToHexStringLower(RandomSource.Bytes(32)), key.KeyId, request.Name, request.GranteePrincipal, request.RetiringPrincipal,
            operations, request.Constraints?.EncryptionContextEquals, request.Constraints?.EncryptionContextSubset, context.AccountId, runtime.Clock.GetUtcNow());
        await runtime.Store.InsertGrantAsync(grant, cancellationToken);
        return new CreateGrantResponse { GrantId = grant.GrantId, GrantToken = GrantTokens.For(grant.GrantId) };
    }

    private static bool SameContext(IReadOnlyDictionary<string, string>? stored, Dictionary<string, string>? requested) =>
        (stored?.Count ?? 0) == (requested?.Count ?? 0) && (stored is null || stored.All(p => requested!.TryGetValue(p.Key, out var v) && v == p.Value));
}

/// <summary>
/// Grant tokens name their grant. They are not secrets: holding one gives nothing; it only lets a
/// permitted caller name a grant (RetireGrant) before it has been listed.
/// </summary>
public static class GrantTokens
{
    private const string Prefix = "CfrGrant1.";

    public static string For(string grantId) => Prefix + grantId;

    public static bool TryRead(string token, out string grantId)
    {
        grantId = token.StartsWith(Prefix, StringComparison.Ordinal) ? token[Prefix.Length..] : "";
        return grantId.Length == 64 && grantId.All(char.IsAsciiHexDigitLower);
    }
}
