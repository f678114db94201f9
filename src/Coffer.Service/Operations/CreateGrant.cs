using Coffer.Service.Pipeline;
using Coffer.Core;
using Coffer.Policy;
using Coffer.Service.Authorization;
using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class GrantConstraints
{
    public Dictionary<string, string>? EncryptionContextSubset { get; init; }
    public Dictionary<string, string>? EncryptionContextEquals { get; init; }
}

public sealed class CreateGrantRequest : IKeyRequest, IDryRunRequest
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
public sealed class CreateGrant(ICofferStore store, KmsLimits limits, TimeProvider clock) : Operation<CreateGrantRequest, CreateGrantResponse>
{
    public override void Validate(CreateGrantRequest request)
    {
        var operations = Operations(request);
        if (operations.Count == 0)
        {
            KmsErrors.ValidationFailed("1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }

        if (operations is ["CreateGrant"])
        {
            KmsErrors.ValidationFailed("Grants must not contain only the CreateGrant operation.");
        }

        ValidateConstraint(request.Constraints?.EncryptionContextEquals);
        ValidateConstraint(request.Constraints?.EncryptionContextSubset);
    }

    public override void Conditions(RequestFacts facts, CreateGrantRequest request) => Conditions(facts, request, Operations(request));

    public override Func<GrantRecord, bool>? GrantLimit(CreateGrantRequest request)
    {
        var operations = Operations(request);
        return parent => GrantRules.Narrows(parent, operations, request.Constraints?.EncryptionContextEquals, request.Constraints?.EncryptionContextSubset);
    }

    /// <summary>
    /// AWS refuses a grant for an operation the key cannot perform (Sign on a symmetric key,
    /// GenerateDataKey on an RSA key), and an encryption-context constraint on a key whose
    /// operations take no encryption context.
    /// </summary>
    public override ValueTask CheckAsync(OperationCall call, CreateGrantRequest request)
    {
        var unsupported = Operations(request).Where(op => !KeySpecRules.GrantMayAllow(call.Key, op)).ToList();
        if (unsupported.Count > 0)
        {
            KmsErrors.ValidationFailed(
                $"Grant operations [{string.Join(", ", unsupported)}] are not valid for KMS key {call.Key.Arn} with key spec {call.Key.KeySpec} and key usage {call.Key.KeyUsage}.");
        }

        if (request.Constraints is { EncryptionContextEquals: not null } or { EncryptionContextSubset: not null } && call.Key.KeySpec != KeySpecs.SymmetricDefault)
        {
            KmsErrors.ValidationFailed(
                $"Encryption context grant constraints are not supported for KMS key {call.Key.Arn}: operations with key spec {call.Key.KeySpec} take no encryption context.");
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<CreateGrantResponse> ExecuteAsync(OperationCall call, CreateGrantRequest request)
    {
        var (key, context, cancellationToken) = (call.Key, call.Context, call.CancellationToken);
        var operations = Operations(request);
        var equals = request.Constraints?.EncryptionContextEquals;
        var subset = request.Constraints?.EncryptionContextSubset;
        var grant = new GrantRecord(Convert.ToHexStringLower(RandomSource.Bytes(32)), key.KeyId, request.Name, request.GranteePrincipal, request.RetiringPrincipal,
            operations, equals, subset, context.AccountId, clock.GetUtcNow());
        GrantRecord stored;
        try
        {
            // The store finds a retry (the same grant, which AWS answers with the grant it made the first
            // time and does not count against the limits) and checks the limits in the same atomic step as
            // the insert, so two requests at once, through this node or another, cannot both take the last place.
            stored = await store.InsertGrantAsync(grant, new GrantLimits(limits.GrantsPerKey, limits.GrantsPerGranteePerKey), cancellationToken);
        }
        catch (GrantLimitExceededException error) when (error.Limit == GrantLimitKind.PerGranteePerKey)
        {
            throw new KmsException(KmsErrors.LimitExceeded,
                $"The request was rejected because {request.GranteePrincipal} already has {limits.GrantsPerGranteePerKey} grants for the KMS key {key.Arn}, the most one principal may have.");
        }
        catch (GrantLimitExceededException)
        {
            throw new KmsException(KmsErrors.LimitExceeded,
                $"The request was rejected because the KMS key {key.Arn} already has {limits.GrantsPerKey} grants, the most a key may have.");
        }

        return new CreateGrantResponse { GrantId = stored.GrantId, GrantToken = GrantTokens.For(stored.GrantId) };
    }

    /// <summary>The grant's operations as stored: each once, in order.</summary>
    private static List<string> Operations(CreateGrantRequest request) => request.Operations.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>AWS's bounds on a grant constraint: 8 pairs, values of at most 384 characters. They also keep what every grant check loads small.</summary>
    private static void ValidateConstraint(Dictionary<string, string>? pairs)
    {
        if (pairs is null)
        {
            return;
        }

        if (pairs.Count > MaxConstraintPairs || pairs.Any(p => p.Key.Length > MaxConstraintValueLength || p.Value.Length > MaxConstraintValueLength))
        {
            KmsErrors.ValidationFailed(
                $"Each encryption context grant constraint can have at most {MaxConstraintPairs} pairs, each key and value at most {MaxConstraintValueLength} characters.");
        }
    }

    private const int MaxConstraintPairs = 8;
    private const int MaxConstraintValueLength = 384;

    private static void Conditions(RequestFacts facts, CreateGrantRequest request, List<string> operations)
    {
        facts.With("kms:GrantOperations", operations).With("kms:GranteePrincipal", request.GranteePrincipal).With("kms:GrantIsForAWSResource", "false");
        if (request.RetiringPrincipal is not null)
        {
            facts.With("kms:RetiringPrincipal", request.RetiringPrincipal);
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
            facts.With("kms:GrantConstraintType", constraintTypes);
        }
    }
}

/// <summary>
/// Grant tokens name their grant. They are not secrets: holding one gives nothing; it only lets a
/// permitted caller name a grant (RetireGrant) before it has been listed.
/// </summary>
public static class GrantTokens
{
    private const string Prefix = "CfrGrant1.";
    private const int GrantIdLength = 64;

    /// <summary>A new token for the grant each time, as AWS gives: the grant id and a random nonce.</summary>
    public static string For(string grantId) => $"{Prefix}{grantId}.{Convert.ToHexStringLower(RandomSource.Bytes(16))}";

    public static bool TryRead(string token, out string grantId)
    {
        var rest = token.StartsWith(Prefix, StringComparison.Ordinal) ? token.AsSpan(Prefix.Length) : [];
        var id = rest.Length >= GrantIdLength ? rest[..GrantIdLength] : [];
        var nonce = rest.Length > GrantIdLength ? rest[GrantIdLength..] : [];
        var valid = id.Length == GrantIdLength && IsLowerHex(id) && (nonce.IsEmpty || (nonce.Length == 33 && nonce[0] == '.' && IsLowerHex(nonce[1..])));
        grantId = valid ? id.ToString() : "";
        return valid;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }
}
