using Coffer.Service.Authorization;
using Coffer.Service.Keys;
using Coffer.Storage;

namespace Coffer.Service;

/// <summary>What the operations share: the store, key material, the resolver, the authorizer and the clock.</summary>
public sealed class KmsRuntime
{
    public KmsRuntime(ICofferStore store, KeyMaterialVault vault, TimeProvider clock)
    {
        Store = store;
        Vault = vault;
        Clock = clock;
        Resolver = new KeyResolver(store);
        Policies = new PolicyCache(store, clock, vault.Keyring);
        Authorizer = new KmsAuthorizer(store, Policies, clock);
    }

    public ICofferStore Store { get; }
    public KeyMaterialVault Vault { get; }
    public KeyResolver Resolver { get; }
    public PolicyCache Policies { get; }
    public KmsAuthorizer Authorizer { get; }
    public TimeProvider Clock { get; }

    public KmsLimits Limits { get; init; } = new();
}
