using Coffer.Core;
using Coffer.Policy;
using Coffer.Storage;

namespace Coffer.Service.Pipeline;

/// <summary>The untyped face of an operation, for the table and the pipeline.</summary>
public interface IOperation
{
    Type RequestType { get; }

    Type ResponseType { get; }

    /// <summary>Runs the pipeline's operation steps with this operation's types (see <see cref="RequestPipeline"/>).</summary>
    ValueTask<object> InvokeAsync(OperationSteps steps, OperationSpec spec, RequestContext context, object request, CancellationToken cancellationToken);
}

/// <summary>A request that names its key in <c>KeyId</c> (or another member, through an explicit implementation).</summary>
public interface IKeyRequest
{
    string? KeyId { get; }
}

/// <summary>A request with AWS's <c>DryRun</c> member: checked like a real call, then refused with DryRunOperationException.</summary>
public interface IDryRunRequest
{
    bool? DryRun { get; }
}

/// <summary>
/// One operation: a typed request in, a typed response out. The pipeline resolves the key,
/// authorizes, checks the key state and handles DryRun from the operation's table row; an
/// operation adds only what is its own, in this order: <see cref="Validate"/> (before the key is
/// looked up), <see cref="Conditions"/> (its condition keys), <see cref="CheckAsync"/> (after
/// authorization, before DryRun) and <see cref="ExecuteAsync"/> (the work).
/// </summary>
public abstract class Operation<TRequest, TResponse> : IOperation
    where TRequest : class
    where TResponse : class
{
    public Type RequestType => typeof(TRequest);

    public Type ResponseType => typeof(TResponse);

    ValueTask<object> IOperation.InvokeAsync(OperationSteps steps, OperationSpec spec, RequestContext context, object request, CancellationToken cancellationToken) =>
        steps.RunAsync(this, spec, context, (TRequest)request, cancellationToken);

    /// <summary>Checks of the request alone, made before its key is looked up.</summary>
    public virtual void Validate(TRequest request)
    {
    }

    /// <summary>The KeyId the pipeline resolves with the row's KeyId forms.</summary>
    public virtual string? KeyIdOf(TRequest request) => (request as IKeyRequest)?.KeyId;

    /// <summary>Finds the key the request is about; by default, resolves <see cref="KeyIdOf"/>. Decrypt reads it from the ciphertext instead.</summary>
    public virtual ValueTask<KmsKey> FindKeyAsync(OperationCall call, TRequest request) => call.ResolveAsync(KeyIdOf(request) ?? "");

    /// <summary>The operation's own condition keys, added to the request's global ones.</summary>
    public virtual void Conditions(RequestFacts facts, TRequest request)
    {
    }

    /// <summary>The encryption context a grant's constraints are checked against.</summary>
    public virtual IReadOnlyDictionary<string, string>? GrantContext(TRequest request) => null;

    /// <summary>What a grant must also satisfy to authorize the request on its own (CreateGrant: the child asks for no more).</summary>
    public virtual Func<GrantRecord, bool>? GrantLimit(TRequest request) => null;

    /// <summary>The resource an <see cref="Access.Identity"/> operation is authorized on.</summary>
    public virtual string IdentityResource(RequestContext context, TRequest request) => "*";

    /// <summary>Checks that need the authorized key or caller, made before DryRun answers (and, for <see cref="Access.Operation"/>, the authorization itself).</summary>
    public virtual ValueTask CheckAsync(OperationCall call, TRequest request) => ValueTask.CompletedTask;

    public abstract ValueTask<TResponse> ExecuteAsync(OperationCall call, TRequest request);

    /// <summary>Zeroes what the request carried in (plaintext), however the call ended.</summary>
    public virtual void Release(TRequest request)
    {
    }
}

/// <summary>One run of an operation: who asks, the key the pipeline found, and what the checks found for the work.</summary>
public sealed class OperationCall(RequestContext context, OperationSpec spec, OperationSteps steps, CancellationToken cancellationToken)
{
    public RequestContext Context { get; } = context;

    public OperationSpec Spec { get; } = spec;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The key the request is about, once resolved and authorized.</summary>
    public KmsKey Key { get; set; } = null!;

    /// <summary>Resolves a KeyId with the forms and cross-account rule of the operation's row.</summary>
    public ValueTask<KmsKey> ResolveAsync(string keyId) => steps.ResolveAsync(this, keyId, Spec);

    /// <summary>What <c>CheckAsync</c> found that the work needs (Decrypt's plaintext, RetireGrant's grant); disposed when the call ends.</summary>
    public object? Found { get; set; }
}
