using Coffer.Crypto;
using Coffer.Storage;

namespace Coffer.Barrier;

/// <summary>
/// Replaces the root of trust without touching key material: the domain key is unwrapped with the
/// current seal (T current shares, or the HSM) and wrapped again under a new root key (new
/// shares, or an HSM key). The wrapped domain key, the share fingerprints and the seal
/// configuration change in one transaction, so a crash leaves the old seal or the new, never half.
/// Run it with the server stopped: a running server keeps its domain key until it restarts.
/// </summary>
public static class Rekey
{
    /// <summary>
    /// Rekeys the deployment in <paramref name="store"/>, which errors call <paramref name="where"/>, and
    /// returns the new shares' text (none for an HSM), which the caller prints once and disposes. A current HSM is reached through
    /// <paramref name="currentLibrary"/>, the operator's own word for its PKCS#11 library, which
    /// must agree with the record.
    /// </summary>
    public static async Task<IReadOnlyList<SecretBytes>> RunAsync(ICofferStore store, string where, IReadOnlyList<SecretBytes> currentShares, string? currentPin, string? currentLibrary,
        int shares, int threshold, HsmKey? newHsm, CancellationToken cancellationToken)
    {
        var config = await SealConfig.ReadAsync(store, cancellationToken)
            ?? throw new InvalidOperationException($"{where} is not initialised.");
        var wrappedKeys = await KeyHierarchy.WrappedKeysAsync(store, cancellationToken);
        if (wrappedKeys.Count == 0)
        {
            throw new InvalidOperationException($"{where} has no domain key.");
        }

        var trustedLibrary = config.Kind == SealConfig.Pkcs11Kind ? config.TrustedPkcs11Library(currentLibrary, "--current-pkcs11-library or COFFER_PKCS11_LIBRARY") : null;
        using var oldSeal = await OpenCurrentAsync(store, config, currentShares, currentPin, trustedLibrary, cancellationToken);
        var domainKeys = wrappedKeys.Select(w => (w.Version, Key: oldSeal.UnwrapDomainKey(w.Wrapped))).ToList();

        ISeal newSeal;
        IReadOnlyList<Shamir.Share> parts = [];
        SealConfig newConfig;
        if (newHsm is not null)
        {
            newSeal = newHsm.Open(createKey: true);
            newConfig = SealConfig.ForHsm(newHsm);
        }
        else
        {
            (var shamir, parts) = ShamirSeal.Create(shares, threshold);
            newSeal = shamir;
            newConfig = new SealConfig(SealConfig.ShamirKind, shares, threshold);
        }

        using (newSeal)
        {
            try
            {
                var settings = new Dictionary<string, byte[]?>
                {
                    [SealConfig.Setting] = newConfig.ToBytes(),
                    [SealConfig.ShareFingerprints] = parts.Count == 0 ? null : parts.SelectMany(ShareText.Fingerprint).ToArray(),
                };
                foreach (var (version, key) in domainKeys)
                {
                    settings[KeyHierarchy.SettingFor(version)] = newSeal.WrapDomainKey(key);
                }

                await store.ReplaceSettingsAsync(settings, cancellationToken);
                return parts.Select(ShareText.Encode).ToList();
            }
            finally
            {
                foreach (var part in parts)
                {
                    part.Dispose();
                }

                foreach (var (_, key) in domainKeys)
                {
                    key.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// Opens the deployment's seal from T current shares, or the HSM with its PIN through
    /// <paramref name="trustedLibrary"/>, which the caller has had from <see cref="SealConfig.TrustedPkcs11Library"/>.
    /// </summary>
    public static async Task<ISeal> OpenCurrentAsync(ICofferStore store, SealConfig config, IReadOnlyList<SecretBytes> shares, string? pin, string? trustedLibrary,
        CancellationToken cancellationToken)
    {
        if (config.Kind == SealConfig.Pkcs11Kind)
        {
            return Pkcs11Seal.Open(trustedLibrary ?? throw new InvalidOperationException("No PKCS#11 library was configured for this HSM."), config.Pkcs11Token!, config.Pkcs11Key!,
                pin ?? throw new SealException("The current HSM's PIN is needed (COFFER_PKCS11_PIN or --pkcs11-pin-file)."), createKey: false);
        }

        if (config.Kind != SealConfig.ShamirKind)
        {
            throw new InvalidOperationException("A dev data folder has no seal to rekey.");
        }

        var fingerprints = await store.GetSettingAsync(SealConfig.ShareFingerprints, cancellationToken) ?? throw new SealException("This data folder has no shares.");
        var decoded = new List<Shamir.Share>();
        try
        {
            foreach (var text in shares)
            {
                var share = ShareText.Decode(text.Span) ?? throw new SealException("A current share is not well-formed (check for a typing error).");
                decoded.Add(share);
                if (!ShareText.MatchesFingerprint(share, fingerprints))
                {
                    throw new SealException("A current share does not belong to this deployment.");
                }
            }

            var distinct = decoded.GroupBy(s => s.X).Select(g => g.First()).ToList();
            if (distinct.Count < config.Threshold)
            {
                throw new SealException($"{config.Threshold} current shares are needed; {distinct.Count} were given.");
            }

            return ShamirSeal.Combine(distinct);
        }
        finally
        {
            foreach (var share in decoded)
            {
                share.Dispose();
            }
        }
    }
}
