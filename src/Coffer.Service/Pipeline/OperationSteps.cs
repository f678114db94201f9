using Coffer.Core;
using Coffer.Service.Authorization;
using Coffer.Service.Identity;
using Coffer.Service.Keys;

namespace Coffer.Service.Pipeline;

/// <summary>
/// The steps every operation goes through, written once and driven by its table row: validate,
/// find the key, authorize, check the key state, the operation's own checks, DryRun, the work.
/// </summary>
public sealed class OperationSteps(KeyResolver resolver, KmsAuthorizer authorizer, OperatorAccount operatorAccount)
{
    public async ValueTask<object> RunAsync<TRequest, TResponse>(Operation<TRequest, TResponse> operation, OperationSpec spec, RequestContext context,
        TRequest request, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {
        OperationCall? call = null;
        try
        {
            operation.Validate(request);
            call = new OperationCall(context, spec, this, cancellationToken);
            switch (spec.Access)
            {
                case Access.KeyPolicy:
                    call.Key = await operation.FindKeyAsync(call, request);
                    await authorizer.AuthorizeAsync(context, spec.Action, call.Key, cancellationToken,
                        facts => operation.Conditions(facts.RequestAlias(operation.KeyIdOf(request)), request),
                        operation.GrantContext(request), operation.GrantLimit(request));
                    EnsureState(spec.KeyState, call.Key);
                    break;
                case Access.Identity:
                    await authorizer.AuthorizeIdentityOnlyAsync(context, spec.Action, operation.IdentityResource(context, request), cancellationToken,
                        facts => operation.Conditions(facts, request));
                    break;
                case Access.Operator:
                    operatorAccount.Require(context, spec.Action);
                    await authorizer.AuthorizeIdentityOnlyAsync(context, spec.Action, "*", cancellationToken);
                    break;
            }

            await operation.CheckAsync(call, request);
            if (request is IDryRunRequest { DryRun: true })
            {
                KmsErrors.DryRunSucceeded();
            }

            return await operation.ExecuteAsync(call, request);
        }
        finally
        {
            // A change to the key is honoured by the next request at once, whether or not this one got to answer.
            if (!spec.ReadOnly && call?.Key is { } key)
            {
                resolver.Changed(key.KeyId);
            }

            // What the checks found may be a secret (Decrypt's plaintext): zeroed however the call ended.
            (call?.Found as IDisposable)?.Dispose();
            operation.Release(request);
        }
    }

    /// <summary>Resolves a KeyId with the forms and cross-account rule of <paramref name="spec"/>.</summary>
    public ValueTask<KmsKey> ResolveAsync(OperationCall call, string keyId, OperationSpec spec) =>
        resolver.ResolveAsync(call.Context, keyId, spec.KeyIdForms ?? KeyIdForms.KeyOnly, spec.CrossAccount, call.CancellationToken);

    public static void EnsureState(KeyStateRule rule, KmsKey key)
    {
        switch (rule)
        {
            case KeyStateRule.Enabled:
                KeyStateRules.EnsureUsableForCrypto(key);
                break;
            case KeyStateRule.NotPendingDeletion:
                KeyStateRules.EnsureNotPendingDeletion(key);
                break;
        }
    }
}
