using Coffer.Barrier;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Service.Pipeline;
using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed record RotateDomainKeyResponse(uint DomainKeyVersion, int Resealed);

/// <summary>
/// <c>POST /sys/rotate-domain-key</c>: opens the seal with the shares given (or the HSM or dev
/// root key), makes a new domain key version and re-encrypts every secret record under it.
/// Reserved to the operator account.
/// </summary>
public sealed class RotateDomainKey(ICofferStore store, Keyring keyring, Func<IReadOnlyList<SecretBytes>, CancellationToken, Task<ISeal>> openSeal)
    : Operation<ShareRequest, RotateDomainKeyResponse>
{
    public override async ValueTask<RotateDomainKeyResponse> ExecuteAsync(OperationCall call, ShareRequest request)
    {
        try
        {
            using var seal = await openSeal(request.Shares, call.CancellationToken);
            var outcome = await DomainKeyRotation.RunAsync(store, keyring, seal, call.CancellationToken);
            return new RotateDomainKeyResponse(outcome.Version, outcome.Reencrypted);
        }
        catch (SealException error)
        {
            throw new KmsException(ErrorCode.InvalidShare, error.Message);
        }
    }

    public override void Release(ShareRequest request) => request.Dispose();
}
