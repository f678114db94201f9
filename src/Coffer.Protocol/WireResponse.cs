using System.Text.Json.Nodes;
using Coffer.Crypto;

namespace Coffer.Protocol;

/// <summary>
/// A response ready to send. It is built first and written only after its audit event is durable.
/// <see cref="Sensitive"/> bodies (plaintext, data keys, secrets) are zeroed once written.
/// </summary>
public sealed record WireResponse(int Status, string ContentType, byte[] Body, bool Sensitive = false, string? ErrorCode = null, string? ErrorMessage = null)
{
    public void Zero()
    {
        if (Sensitive)
        {
            SecretBytes.Zero(Body);
        }
    }
}

/// <summary>What a request's audit event says about the call itself; filled in as the request is understood.</summary>
public sealed class AuditCapture
{
    public string EventSource { get; set; } = "kms.amazonaws.com";
    public string EventName { get; set; } = "Unknown";
    public string Region { get; set; } = "us-east-1";
    public bool ReadOnly { get; set; }
    public JsonObject? RequestParameters { get; set; }
    public JsonObject? ResponseElements { get; set; }
    public string? AccessKeyId { get; set; }
}

/// <summary>How one wire protocol spells its errors.</summary>
public interface IWireProtocol
{
    WireResponse Error(string code, string? message, string requestId);
}
