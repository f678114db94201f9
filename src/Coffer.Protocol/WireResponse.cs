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
