using System.Security.Cryptography;

namespace Coffer.Crypto.Asymmetric;

/// <summary>How the Message of a Sign or Verify request is to be read (the AWS MessageType).</summary>
internal enum MessageKind
{
    /// <summary>The message itself; the algorithm hashes it.</summary>
    Raw,

    /// <summary>The message's digest under the algorithm's hash; the hashing step is skipped.</summary>
    Digest,

    /// <summary>ML-DSA's 64-byte message representative μ (FIPS 204, section 6.2).</summary>
    ExternalMu,
}

/// <summary>
/// One AWS SigningAlgorithmSpec: the key family it works with, its hash and the message types AWS
/// accepts with it.
/// </summary>
/// <remarks>
/// Facts from the AWS KMS API model (shared/reference/kms-service-2.json, Sign.MessageType) and the
/// Developer Guide's "Key spec reference" and "ML-DSA keys in AWS KMS" pages:
/// ED25519_SHA_512 requires RAW and ED25519_PH_SHA_512 requires DIGEST, and with DIGEST KMS still
/// applies Ed25519ph's SHA-512 prehash (FIPS 186-5 section 7.8.1 step 1), so the caller's digest is
/// hashed again; EXTERNAL_MU is ML-DSA's only alternative to RAW and is always 64 bytes; a DIGEST's
/// length is the algorithm's hash length (SHA_256: 32, SHA_384: 48, SHA_512: 64, SM2DSA's SM3: 32).
/// </remarks>
internal sealed record SigningAlgorithm(string Name, KeyFamily Family, HashAlgorithmName Hash, int DigestLength, MessageKind[] Kinds)
{
    private static readonly MessageKind[] RawOrDigest = [MessageKind.Raw, MessageKind.Digest];

    private static readonly Dictionary<string, SigningAlgorithm> All = new SigningAlgorithm[]
    {
        new("RSASSA_PSS_SHA_256", KeyFamily.Rsa, HashAlgorithmName.SHA256, 32, RawOrDigest),
        new("RSASSA_PSS_SHA_384", KeyFamily.Rsa, HashAlgorithmName.SHA384, 48, RawOrDigest),
        new("RSASSA_PSS_SHA_512", KeyFamily.Rsa, HashAlgorithmName.SHA512, 64, RawOrDigest),
        new("RSASSA_PKCS1_V1_5_SHA_256", KeyFamily.Rsa, HashAlgorithmName.SHA256, 32, RawOrDigest),
        new("RSASSA_PKCS1_V1_5_SHA_384", KeyFamily.Rsa, HashAlgorithmName.SHA384, 48, RawOrDigest),
        new("RSASSA_PKCS1_V1_5_SHA_512", KeyFamily.Rsa, HashAlgorithmName.SHA512, 64, RawOrDigest),
        new("ECDSA_SHA_256", KeyFamily.Ec, HashAlgorithmName.SHA256, 32, RawOrDigest),
        new("ECDSA_SHA_384", KeyFamily.Ec, HashAlgorithmName.SHA384, 48, RawOrDigest),
        new("ECDSA_SHA_512", KeyFamily.Ec, HashAlgorithmName.SHA512, 64, RawOrDigest),
        new("ED25519_SHA_512", KeyFamily.Ed25519, HashAlgorithmName.SHA512, 64, [MessageKind.Raw]),
        new("ED25519_PH_SHA_512", KeyFamily.Ed25519, HashAlgorithmName.SHA512, 64, [MessageKind.Digest]),
        new("ML_DSA_SHAKE_256", KeyFamily.MlDsa, default, 64, [MessageKind.Raw, MessageKind.ExternalMu]),
        new("SM2DSA", KeyFamily.Sm2, new HashAlgorithmName("SM3"), 32, RawOrDigest),
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>
    /// AWS pairs each elliptic curve with one ECDSA hash: P-256 and secp256k1 with SHA-256, P-384
    /// with SHA-384, P-521 with SHA-512 (Developer Guide, "Key spec reference", ECC key specs).
    /// </summary>
    private static readonly Dictionary<string, string> EcdsaOf = new(StringComparer.Ordinal)
    {
        ["ECC_NIST_P256"] = "ECDSA_SHA_256",
        ["ECC_SECG_P256K1"] = "ECDSA_SHA_256",
        ["ECC_NIST_P384"] = "ECDSA_SHA_384",
        ["ECC_NIST_P521"] = "ECDSA_SHA_512",
    };

    internal static SigningAlgorithm Of(string name) =>
        All.TryGetValue(name, out var algorithm) ? algorithm : throw new ArgumentException($"{name} is not a signing algorithm.", nameof(name));

    /// <summary>The algorithms AWS lets a key of <paramref name="spec"/> sign with, in AWS's order.</summary>
    internal static IReadOnlyList<string> For(KeySpec spec) => spec.Family switch
    {
        KeyFamily.Ec => [EcdsaOf[spec.Name]],
        KeyFamily.Hmac => [],
        _ => All.Values.Where(a => a.Family == spec.Family).Select(a => a.Name).ToArray(),
    };

    internal static MessageKind KindOf(string messageType) => messageType switch
    {
        "RAW" => MessageKind.Raw,
        "DIGEST" => MessageKind.Digest,
        "EXTERNAL_MU" => MessageKind.ExternalMu,
        _ => throw new ArgumentException($"{messageType} is not a message type.", nameof(messageType)),
    };

    /// <summary>The exact message length <paramref name="kind"/> demands, or null when any length (up to AWS's 4096 bytes) will do.</summary>
    internal int? RequiredLength(MessageKind kind) => kind == MessageKind.Raw ? null : DigestLength;

    /// <summary>Throws unless a key of <paramref name="spec"/> may sign a message of <paramref name="kind"/> with this algorithm.</summary>
    internal void CheckUse(KeySpec spec, MessageKind kind, int messageLength)
    {
        if (!For(spec).Contains(Name))
        {
            throw new ArgumentException($"{spec.Name} keys do not sign with {Name}.");
        }

        if (!Kinds.Contains(kind))
        {
            throw new ArgumentException($"{Name} does not take a {kind} message.");
        }

        if (RequiredLength(kind) is { } length && messageLength != length)
        {
            throw new ArgumentException($"A {kind} message for {Name} is {length} bytes, not {messageLength}.");
        }
    }
}
