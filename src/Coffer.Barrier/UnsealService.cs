using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Barrier;

/// <summary>Where unsealing stands, for <c>/health</c> and the unseal answer.</summary>
public sealed record SealStatus(bool Sealed, string Seal, int Progress, int Threshold);

/// <summary>
/// Collects Shamir shares one call at a time. Each share is checked against its stored
/// fingerprint as it arrives (a wrong one is refused and the others kept); at the threshold the
/// shares rebuild the root key, which unwraps the domain key into the keyring, and are zeroed.
/// Thread-safe.
/// </summary>
public sealed class UnsealService(ICofferStore store, Keyring keyring, SealConfig config, Func<Task> onUnsealed)
{
    private readonly List<Shamir.Share> _pending = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public SealStatus Status
    {
        get
        {
            lock (_pending)
            {
                return new SealStatus(keyring.IsSealed, config.Kind, keyring.IsSealed ? _pending.Count : 0, config.Threshold);
            }
        }
    }

    /// <summary>
    /// Adds one share, given as its text in a secret buffer the caller keeps and disposes; throws
    /// <see cref="SealException"/> for a share that is malformed or not one of this deployment's.
    /// </summary>
    public async Task<SealStatus> SubmitAsync(SecretBytes text, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!keyring.IsSealed)
            {
                return Status;
            }

            if (config.Kind != SealConfig.ShamirKind)
            {
                throw new SealException($"This deployment uses the {config.Kind} seal: it unseals itself and takes no shares.");
            }

            var share = ShareText.Decode(text.Span) ?? throw new SealException("That is not a well-formed Coffer share (check for a typing error).");
            var fingerprints = await store.GetSettingAsync(SealConfig.ShareFingerprints, cancellationToken) ?? throw new SealException("This data folder has no shares.");
            if (!ShareText.MatchesFingerprint(share, fingerprints))
            {
                share.Dispose();
                throw new SealException("That share does not belong to this deployment.");
            }

            lock (_pending)
            {
                if (_pending.Any(p => p.X == share.X))
                {
                    share.Dispose();
                }
                else
                {
                    _pending.Add(share);
                }
            }

            if (_pending.Count >= config.Threshold)
            {
                using var seal = ShamirSeal.Combine(_pending);
                keyring.Install(await KeyHierarchy.OpenBarrierAsync(seal, store, cancellationToken));
                Reset();
                await onUnsealed();
            }

            return Status;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the shares given so far.</summary>
    public void Reset()
    {
        lock (_pending)
        {
            foreach (var share in _pending)
            {
                share.Dispose();
            }

            _pending.Clear();
        }
    }
}
