using Coffer.Crypto;

namespace Coffer.Barrier;

/// <summary>
/// A seal: the source of the root key, and so the root of trust. It wraps and unwraps the domain
/// key with the root key, which never leaves it. "Seal" means only this in Coffer; a server is
/// sealed while its seal has not been opened.
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
