namespace Coffer.Crypto;

/// <summary>
/// The root of trust: holds the root key and wraps or unwraps the domain key with it. The root
/// key itself never leaves the seal.
/// </summary>
public interface ISeal : IDisposable
{
    /// <summary>A short name for status output (<c>dev</c>, <c>shamir</c>, <c>pkcs11</c>).</summary>
    string Kind { get; }

    byte[] WrapDomainKey(SecretBytes domainKey);

    /// <summary>Throws <see cref="SealException"/> when the blob was not wrapped by this root key.</summary>
    SecretBytes UnwrapDomainKey(ReadOnlySpan<byte> wrapped);
}

/// <summary>The seal could not do its work: wrong root key, damaged blob, missing device.</summary>
public sealed class SealException(string message) : Exception(message);
