using Coffer.Service.Keys;
using Coffer.Service.Pipeline;

using Coffer.Storage;

namespace Coffer.Service.Operations;

public sealed class UpdateKeyDescriptionRequest : IKeyRequest
{
    public required string KeyId { get; init; }
    public required string Description { get; init; }
}

public sealed class UpdateKeyDescription(ICofferStore store) : Operation<UpdateKeyDescriptionRequest, EmptyResponse>
{
    public override async ValueTask<EmptyResponse> ExecuteAsync(OperationCall call, UpdateKeyDescriptionRequest request)
    {
        await KeyRecordUpdate.ApplyAsync(store, call, key => key with { Description = request.Description }, KeyStateRules.EnsureNotPendingDeletion);
        return EmptyResponse.Instance;
    }
}
