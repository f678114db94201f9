using Coffer.Core;
using Coffer.Crypto;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Service.Keys;

/// <summary>
/// Makes private material for key specs whose generation costs real CPU (an RSA_4096 pair takes
/// seconds). At most <see cref="MaxConcurrent"/> are made at once, so callers flooding CreateKey
/// or GenerateDataKeyPair wait their turn instead of taking every core from everyone else's
/// requests. Symmetric and HMAC material is random bytes and is never queued.
/// </summary>
public sealed class KeyPairGenerator(int maxConcurrent = 1)
{
    private readonly SemaphoreSlim _slots = new(maxConcurrent, maxConcurrent);

    public int MaxConcurrent { get; } = maxConcurrent;

    /// <summary>How many generations are running now; never more than <see cref="MaxConcurrent"/>.</summary>
    public int Running => MaxConcurrent - _slots.CurrentCount;

    public async ValueTask<SecretBytes> GenerateAsync(string keySpec, CancellationToken cancellationToken)
    {
        if (!KeySpecRules.IsAsymmetric(keySpec))
        {
            return KeyMaterial.Generate(keySpec);
        }

        await _slots.WaitAsync(cancellationToken);
        try
        {
            // Off the request's thread: the wait above is the queue, this is the work.
            return await Task.Run(() => KeyMaterial.Generate(keySpec), cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }
}
