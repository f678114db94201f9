using Coffer.Service.Iam;
using Coffer.Service.Keys;
using Coffer.Service.Operations;
using Coffer.Service.Pipeline;
using static Coffer.Service.Keys.CrossAccountUse;
using static Coffer.Service.Keys.KeyIdForms;
using static Coffer.Service.Pipeline.KeyStateRule;

namespace Coffer.Service;

/// <summary>
/// Every operation Coffer serves, one row each: its IAM action, how it names its key, whether
/// it reaches other accounts' keys (the API reference's "Cross-account use"), the key states it
/// accepts, whether it changes anything, and what of it never reaches the audit trail. The
/// pipeline reads these rows; adding an operation is its file plus one row here.
/// </summary>
public sealed class OperationTable
{
    private readonly Dictionary<(string Service, string Name), OperationSpec> _rows = [];

    public OperationTable(IEnumerable<OperationSpec> rows)
    {
        foreach (var row in rows)
        {
            _rows.Add((row.Service, row.Name), row);
        }
    }

    public IEnumerable<OperationSpec> Rows => _rows.Values;

    public OperationSpec? Find(string service, string? name) =>
        name is not null && _rows.TryGetValue((service, name), out var spec) ? spec : null;

    /// <summary>The rows of the KMS API.</summary>
    public static IEnumerable<OperationSpec> Kms(ServiceParts parts)
    {
        var (store, vault, authorizer, clock) = (parts.Store, parts.Vault, parts.Authorizer, parts.Clock);
        var envelope = new SymmetricEnvelope(store, vault, parts.Keys);
        var asymmetric = new AsymmetricEnvelope(vault);
        string[] plaintextIn = ["Plaintext", "CiphertextBlob"];
        string[] dataKeyOut = ["Plaintext", "CiphertextBlob", "CiphertextForRecipient", "AttestationDocument"];

        // Keys
        yield return Row("CreateKey", new CreateKey(store, vault, authorizer, clock), Access.Identity, logsResponse: true);
        yield return Row("DescribeKey", new DescribeKey(), forms: KeyOrAlias, crossAccount: Yes, readOnly: true);
        yield return Row("ListKeys", new ListKeys(store), Access.Identity, readOnly: true);
        yield return Row("UpdateKeyDescription", new UpdateKeyDescription(store), forms: KeyOnly, state: NotPendingDeletion);
        yield return Row("EnableKey", new EnableKey(store), forms: KeyOnly, state: NotPendingDeletion);
        yield return Row("DisableKey", new DisableKey(store), forms: KeyOnly, state: NotPendingDeletion);
        yield return Row("ScheduleKeyDeletion", new ScheduleKeyDeletion(store, clock), forms: KeyOnly, state: NotPendingDeletion, logsResponse: true);
        yield return Row("CancelKeyDeletion", new CancelKeyDeletion(store), forms: KeyOnly, logsResponse: true);

        // Rotation
        var rotation = new KeyRotation(store, vault, clock);
        yield return Row("EnableKeyRotation", new EnableKeyRotation(store, clock), forms: KeyOnly);
        yield return Row("DisableKeyRotation", new DisableKeyRotation(store), forms: KeyOnly);
        yield return Row("GetKeyRotationStatus", new GetKeyRotationStatus(), forms: KeyOnly, crossAccount: Yes, readOnly: true);
        yield return Row("RotateKeyOnDemand", new RotateKeyOnDemand(rotation), forms: KeyOnly, state: Enabled, logsResponse: true);
        yield return Row("ListKeyRotations", new ListKeyRotations(store), forms: KeyOnly, readOnly: true);

        // Imported key material
        var importer = new KeyImporter(store, vault, clock);
        yield return Row("GetParametersForImport", new GetParametersForImport(importer), forms: KeyOnly, state: NotPendingDeletion,
            secrets: ["ImportToken", "PublicKey"]);
        yield return Row("ImportKeyMaterial", new ImportKeyMaterial(importer), forms: KeyOnly, state: NotPendingDeletion, logsResponse: true,
            secrets: ["ImportToken", "EncryptedKeyMaterial"]);
        yield return Row("DeleteImportedKeyMaterial", new DeleteImportedKeyMaterial(importer), forms: KeyOnly, logsResponse: true);

        // Usage
        yield return Row("GetKeyLastUsage", new GetKeyLastUsage(parts.Usage), forms: KeyOnly, readOnly: true);

        // Aliases
        yield return Row("CreateAlias", new CreateAlias(store, authorizer, clock), forms: KeyOnly, state: NotPendingDeletion);
        yield return Row("UpdateAlias", new UpdateAlias(store, authorizer, clock), Access.Operation, forms: KeyOnly);
        yield return Row("DeleteAlias", new DeleteAlias(store, authorizer), Access.Operation);
        yield return Row("ListAliases", new ListAliases(store), Access.Identity, forms: KeyOnly, readOnly: true);

        // Tags
        yield return Row("TagResource", new TagResource(store), forms: KeyOnly, state: NotPendingDeletion);
        yield return Row("UntagResource", new UntagResource(store), forms: KeyOnly, state: NotPendingDeletion);
        yield return Row("ListResourceTags", new ListResourceTags(store), forms: KeyOnly, readOnly: true);

        // Cryptography
        yield return Row("Encrypt", new Encrypt(envelope, asymmetric), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true, secrets: plaintextIn);
        yield return Row("Decrypt", new Decrypt(envelope, asymmetric), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true, secrets: dataKeyOut);
        yield return Row("ReEncrypt", new ReEncrypt(envelope, asymmetric, authorizer), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true,
            action: "kms:ReEncryptFrom", secrets: ["CiphertextBlob"]);
        yield return Row("GenerateDataKey", new GenerateDataKey(envelope, includePlaintext: true), forms: KeyOrAlias, crossAccount: Yes, state: Enabled,
            readOnly: true, secrets: dataKeyOut);
        yield return Row("GenerateDataKeyWithoutPlaintext", new GenerateDataKey(envelope, includePlaintext: false), forms: KeyOrAlias, crossAccount: Yes,
            state: Enabled, readOnly: true, secrets: dataKeyOut);
        yield return Row("GenerateRandom", new GenerateRandom(), Access.Identity, readOnly: true, secrets: dataKeyOut);
        string[] keyPairOut = ["PrivateKeyPlaintext", "PrivateKeyCiphertextBlob", "PublicKey", "CiphertextForRecipient", "AttestationDocument"];
        yield return Row("GenerateDataKeyPair", new GenerateDataKeyPair(envelope, parts.Generator, includePlaintext: true), forms: KeyOrAlias, crossAccount: Yes, state: Enabled,
            readOnly: true, secrets: keyPairOut);
        yield return Row("GenerateDataKeyPairWithoutPlaintext", new GenerateDataKeyPair(envelope, parts.Generator, includePlaintext: false), forms: KeyOrAlias, crossAccount: Yes,
            state: Enabled, readOnly: true, secrets: keyPairOut);
        yield return Row("DeriveSharedSecret", new DeriveSharedSecret(vault), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true,
            secrets: ["PublicKey", "SharedSecret", "CiphertextForRecipient", "AttestationDocument"]);
        yield return Row("GetPublicKey", new GetPublicKey(vault), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true, secrets: ["PublicKey"]);
        yield return Row("Sign", new Sign(vault), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true, secrets: ["Message", "Signature"]);
        yield return Row("Verify", new Verify(vault), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true, secrets: ["Message", "Signature"]);
        yield return Row("GenerateMac", new GenerateMac(vault), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true, secrets: ["Message", "Mac"]);
        yield return Row("VerifyMac", new VerifyMac(vault), forms: KeyOrAlias, crossAccount: Yes, state: Enabled, readOnly: true, secrets: ["Message", "Mac"]);

        // Key policies
        yield return Row("PutKeyPolicy", new PutKeyPolicy(store, authorizer, parts.Policies), forms: KeyOnly);
        yield return Row("GetKeyPolicy", new GetKeyPolicy(store), forms: KeyOnly, readOnly: true);
        yield return Row("ListKeyPolicies", new ListKeyPolicies(), forms: KeyOnly, readOnly: true);

        // Grants
        yield return Row("CreateGrant", new CreateGrant(store, parts.Limits, clock), forms: KeyOnly, crossAccount: Yes, state: Enabled, logsResponse: true,
            secrets: ["GrantToken"]);
        yield return Row("ListGrants", new ListGrants(store), forms: KeyOnly, crossAccount: Yes, readOnly: true);
        yield return Row("ListRetirableGrants", new ListRetirableGrants(store), Access.Identity, readOnly: true);
        yield return Row("RetireGrant", new RetireGrant(store, authorizer), Access.Operation, forms: KeyOnly, crossAccount: Yes, secrets: ["GrantToken"]);
        yield return Row("RevokeGrant", new RevokeGrant(store), forms: KeyOnly, crossAccount: Yes);
    }

    /// <summary>CloudTrail's LookupEvents over the audit trail.</summary>
    public static IEnumerable<OperationSpec> CloudTrail(Storage.IAuditStore trail)
    {
        yield return new OperationSpec
        {
            Service = "cloudtrail", Name = "LookupEvents", Action = "cloudtrail:LookupEvents", Access = Access.Identity, ReadOnly = true,
            Operation = new LookupEvents(trail),
        };
    }

    /// <summary>The operator's <c>/sys</c> controls: deployment-wide, so reserved to the operator account, except unsealing, whose shares are the credential.</summary>
    public static IEnumerable<OperationSpec> Operator(Barrier.UnsealService unseal, Barrier.Keyring keyring, Storage.ICofferStore store, Audit.AuditTrail audit,
        Func<IReadOnlyList<Crypto.SecretBytes>, CancellationToken, Task<Barrier.ISeal>> openSeal)
    {
        yield return Control("Unseal", new Unseal(unseal, audit), Access.Unauthenticated) with { ServesWhileSealed = true };
        yield return Control("Seal", new Seal(keyring, unseal, audit), Access.Operator);
        yield return Control("RotateDomainKey", new RotateDomainKey(store, keyring, openSeal), Access.Operator);

        static OperationSpec Control(string name, IOperation operation, Access access) => new()
        {
            Service = "coffer", Name = name, Action = $"coffer:{name}", Operation = operation, Access = access,
            Secrets = Secrets("share", "shares"),
        };
    }

    /// <summary>The rows of the IAM and STS subsets. Their services authorize each call on the principals it names.</summary>
    public static IEnumerable<OperationSpec> IamAndSts(IamService iam, StsService sts)
    {
        yield return Iam("CreateUser", async (c, r, t) => await iam.CreateUserAsync(c, r.Required("UserName"), r.Optional("Path"), r.Tags(), t));
        yield return Iam("GetUser", async (c, r, t) => await iam.GetUserAsync(c, r.Optional("UserName"), t));
        yield return Iam("ListUsers", async (c, r, t) => await iam.ListUsersAsync(c, r.Optional("Marker"), r.OptionalInt("MaxItems"), t));
        yield return Iam("DeleteUser", async (c, r, t) => { await iam.DeleteUserAsync(c, r.Required("UserName"), t); return null; });
        yield return Iam("TagUser", async (c, r, t) => { await iam.TagUserAsync(c, r.Required("UserName"), r.Tags(), t); return null; });
        yield return Iam("CreateAccessKey", async (c, r, t) => await iam.CreateAccessKeyAsync(c, r.Optional("UserName"), t), secrets: ["SecretAccessKey"]);
        yield return Iam("ListAccessKeys", async (c, r, t) => await iam.ListAccessKeysAsync(c, r.Optional("UserName"), t));
        yield return Iam("UpdateAccessKey", async (c, r, t) =>
        {
            await iam.UpdateAccessKeyAsync(c, r.Optional("UserName"), r.Required("AccessKeyId"), r.Required("Status"), t);
            return null;
        });
        yield return Iam("DeleteAccessKey", async (c, r, t) => { await iam.DeleteAccessKeyAsync(c, r.Optional("UserName"), r.Required("AccessKeyId"), t); return null; });
        foreach (var (noun, kind) in new[] { ("User", Storage.PrincipalKind.User), ("Role", Storage.PrincipalKind.Role) })
        {
            var nameParameter = $"{noun}Name";
            yield return Iam($"Put{noun}Policy", async (c, r, t) =>
            {
                await iam.PutPrincipalPolicyAsync(c, kind, r.Required(nameParameter), r.Required("PolicyName"), r.Required("PolicyDocument"), t);
                return null;
            });
            yield return Iam($"Get{noun}Policy", async (c, r, t) =>
            {
                var (name, policyName) = (r.Required(nameParameter), r.Required("PolicyName"));
                return new InlinePolicy(name, policyName, await iam.GetPrincipalPolicyAsync(c, kind, name, policyName, t));
            });
            yield return Iam($"List{noun}Policies", async (c, r, t) => await iam.ListPrincipalPoliciesAsync(c, kind, r.Required(nameParameter), t));
            yield return Iam($"Delete{noun}Policy", async (c, r, t) =>
            {
                await iam.DeletePrincipalPolicyAsync(c, kind, r.Required(nameParameter), r.Required("PolicyName"), t);
                return null;
            });
        }

        yield return Iam("CreateRole", async (c, r, t) =>
            await iam.CreateRoleAsync(c, r.Required("RoleName"), r.Optional("Path"), r.Required("AssumeRolePolicyDocument"), r.OptionalInt("MaxSessionDuration"), t));
        yield return Iam("GetRole", async (c, r, t) => await iam.GetRoleAsync(c, r.Required("RoleName"), t));
        yield return Iam("ListRoles", async (c, r, t) => await iam.ListRolesAsync(c, r.Optional("Marker"), r.OptionalInt("MaxItems"), t));
        yield return Iam("DeleteRole", async (c, r, t) => { await iam.DeleteRoleAsync(c, r.Required("RoleName"), t); return null; });

        yield return Iam("GetCallerIdentity", (c, _, _) => ValueTask.FromResult<object?>(StsService.GetCallerIdentity(c)), service: "sts");
        yield return Iam("AssumeRole", async (c, r, t) =>
            await sts.AssumeRoleAsync(c, r.Required("RoleArn"), r.Required("RoleSessionName"), r.OptionalInt("DurationSeconds"), t),
            service: "sts", secrets: ["SecretAccessKey", "SessionToken"]);
    }

    private static OperationSpec Row(string name, IOperation operation, Access access = Access.KeyPolicy, KeyIdForms? forms = null,
        CrossAccountUse crossAccount = No, KeyStateRule state = Any, bool readOnly = false, bool logsResponse = false, string? action = null,
        string[]? secrets = null) => new()
    {
        Service = "kms",
        Name = name,
        Action = action ?? $"kms:{name}",
        Operation = operation,
        Access = access,
        KeyIdForms = forms,
        CrossAccount = crossAccount,
        KeyState = state,
        ReadOnly = readOnly,
        LogsResponse = logsResponse,
        Secrets = Secrets(secrets),
    };

    private static OperationSpec Iam(string name, Func<RequestContext, IamRequest, CancellationToken, ValueTask<object?>> run, string service = "iam",
        string[]? secrets = null) => new()
    {
        Service = service,
        Name = name,
        Action = $"{service}:{name}",
        Operation = new IamOperation(run),
        Access = Access.Operation,
        // IAM's own rule: Get* and List* actions are the read-only ones.
        ReadOnly = name.StartsWith("Get", StringComparison.Ordinal) || name.StartsWith("List", StringComparison.Ordinal),
        Secrets = Secrets(secrets),
    };

    public static IReadOnlySet<string> Secrets(params string[]? names) => new HashSet<string>(names ?? [], StringComparer.OrdinalIgnoreCase);
}

/// <summary>What the KMS operations are built from; each operation takes only the parts it uses.</summary>
public sealed record ServiceParts(Storage.ICofferStore Store, KeyMaterialVault Vault, KeyPairGenerator Generator, Authorization.KmsAuthorizer Authorizer, Authorization.PolicyCache Policies,
    TimeProvider Clock, KmsLimits Limits, KeyUsageTracker Usage, KeyCache Keys);
