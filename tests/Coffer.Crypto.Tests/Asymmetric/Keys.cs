using System.Collections.Concurrent;
using Coffer.Crypto.Asymmetric;

namespace Coffer.Crypto.Tests.Asymmetric;

/// <summary>One generated key per spec for the whole run: an RSA_4096 key takes about a second to make.</summary>
internal static class Keys
{
    private static readonly ConcurrentDictionary<string, Lazy<SecretBytes>> Made = new();

    public static SecretBytes Of(string keySpec) => Made.GetOrAdd(keySpec, spec => new Lazy<SecretBytes>(() => KeyMaterial.Generate(spec))).Value;
}
