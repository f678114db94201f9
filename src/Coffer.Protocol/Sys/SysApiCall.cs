using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Core;
using Coffer.Protocol.Json;
using Coffer.Protocol.SigV4;
using Coffer.Service.Operations;
using Coffer.Service.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Coffer.Protocol.Sys;

/// <summary>
/// The operator's <c>/sys</c> controls on the wire: <c>POST /sys/unseal</c>, <c>/sys/seal</c> and
/// <c>/sys/rotate-domain-key</c>, small JSON bodies whose shares are read straight into pinned
/// secrets, answers in JSON, errors in AWS's JSON 1.1 shape. Seal and rotation are SigV4-signed
/// for <c>kms</c>; an unseal share is its own credential.
/// </summary>
internal sealed class SysApiCall(HttpContext http, SigV4Authenticator authenticator) : HttpApiCall(http, authenticator)
{
    private const int MaxBody = 8 * 1024;
    private static readonly string[] KmsOnly = ["kms"];

    public static bool Handles(PathString path) => Operation(path.Value) is not null;

    public override string? FixedService => "coffer";

    public override string? OperationName => Operation(Http.Request.Path.Value);

    protected override IReadOnlyList<string> Services => KmsOnly;

    public override async ValueTask ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(Http.Request.Method) || Http.Request.ContentLength > MaxBody || !await TryReadBodyAsync(MaxBody, cancellationToken))
        {
            throw new KmsException(KmsErrors.Validation, "Use POST with a small JSON body.");
        }
    }

    public override Exception UnknownOperation(string service) => new KmsException(ErrorCode.UnknownOperation, null);

    public override object ReadRequest(OperationSpec spec)
    {
        // Nothing of the body is echoed: it holds shares.
        RequestParameters = "{}"u8.ToArray();
        try
        {
            return ShareBody.Parse(Body.Span);
        }
        catch (JsonException)
        {
            throw new KmsException(RequestValidator.SerializationError, null);
        }
    }

    protected override WireResponse Encode(OperationSpec spec, object result) => result switch
    {
        NodeStatus status => Json(NodeStatusJson.Write(status)),
        RotateDomainKeyResponse rotated => Json(JsonSerializer.SerializeToUtf8Bytes(
            new JsonObject { ["domainKeyVersion"] = rotated.DomainKeyVersion, ["resealed"] = rotated.Resealed })),
        _ => throw new InvalidOperationException($"{spec.Name} answered {result.GetType().Name}, which /sys cannot write."),
    };

    protected override WireResponse EncodeError(ErrorCode code, string? message) => AwsErrorResponse.Create(code, message);

    private static WireResponse Json(byte[] body) => new(StatusCodes.Status200OK, "application/json", body);

    private static string? Operation(string? path) => path switch
    {
        "/sys/unseal" => "Unseal",
        "/sys/seal" => "Seal",
        "/sys/rotate-domain-key" => "RotateDomainKey",
        _ => null,
    };
}

/// <summary>A node's status as <c>GET /health</c> and the <c>/sys</c> controls answer it.</summary>
public static class NodeStatusJson
{
    public static byte[] Write(NodeStatus status)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", status.Status);
            json.WriteBoolean("sealed", status.Sealed);
            json.WriteString("seal", status.Seal);
            json.WriteNumber("progress", status.Progress);
            json.WriteNumber("threshold", status.Threshold);
            json.WriteString("audit", status.Audit);
            if (status.Jobs is { } jobs)
            {
                json.WriteString("jobs", jobs);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
