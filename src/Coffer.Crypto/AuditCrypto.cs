using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>
/// The hash chain of the audit trail: <c>hash(n) = SHA-256(hash(n-1) ‖ n as 8 bytes big-endian ‖ SHA-256(event n))</c>,
/// with 32 zero bytes before the first event. Editing, removing, inserting or reordering any
/// event changes every hash after it.
/// </summary>
public static class AuditChain
{
    public const int HashSize = 32;

    public static byte[] Genesis => new byte[HashSize];

    public static byte[] Next(ReadOnlySpan<byte> previous, long sequence, ReadOnlySpan<byte> eventBytes)
    {
        Span<byte> input = stackalloc byte[HashSize + 8 + HashSize];
        previous.CopyTo(input);
        BinaryPrimitives.WriteInt64BigEndian(input.Slice(HashSize, 8), sequence);
        SHA256.HashData(eventBytes, input[(HashSize + 8)..]);
        return SHA256.HashData(input);
    }

    /// <summary>SHA-256 of a byte string, for digests that chain to each other.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data) => SHA256.HashData(data);
}

/// <summary>
/// The audit signing key: ECDSA P-256 over SHA-256. The private key leaves this type only as
/// PKCS#8 bytes for the barrier to seal; the public key is SubjectPublicKeyInfo, shareable.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key) => _key = key;

    public static AuditSigningKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a private key from PKCS#8 bytes (the caller zeroes its copy).</summary>
    public static AuditSigningKey FromPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return new AuditSigningKey(key);
    }

    /// <summary>The private key as PKCS#8, in a secret buffer for the barrier to seal.</summary>
    public SecretBytes ExportPkcs8()
    {
        var bytes = _key.ExportPkcs8PrivateKey();
        try
        {
            return SecretBytes.CopyOf(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public byte[] PublicKey => _key.ExportSubjectPublicKeyInfo();

    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Checks a signature with a public key (SubjectPublicKeyInfo DER or PEM text).</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Reads a PEM public key into SubjectPublicKeyInfo bytes; null if it is not one.</summary>
    public static byte[]? PublicKeyFromPem(string pem)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key.ExportSubjectPublicKeyInfo();
        }
        catch (Exception error) when (error is ArgumentException or CryptographicException)
        {
            return null;
        }
    }

    public void Dispose() => _key.Dispose();
}
