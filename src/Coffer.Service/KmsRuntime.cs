using Coffer.Service.Keys;
using Coffer.Storage;

namespace Coffer.Service;

/// <summary>What the operations share: the store, the key material vault, the resolver and the clock.</summary>
public sealed class KmsRuntime(ICofferStore store, KeyMaterialVault vault, TimeProvider clock)
{
    public ICofferStore Store { get; } = store;
    public KeyMaterialVault Vault { get; } = vault;
    public KeyResolver Resolver { get; } = new(store);
    public TimeProvider Clock { get; } = clock;
}
