using Coffer.Crypto;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Coffer.Barrier;

/// <summary>Where a root key lives in an HSM, and the PIN that opens it: what <c>coffer init</c> and <c>coffer rekey</c> are given.</summary>
public sealed record HsmKey(string Library, string Token, string Key, string Pin)
{
    public Pkcs11Seal Open(bool createKey) => Pkcs11Seal.Open(Library, Token, Key, Pin, createKey);

    /// <summary>Everything but the PIN, which never reaches a log or an error.</summary>
    public override string ToString() => $"HsmKey {{ Library = {Library}, Token = {Token}, Key = {Key} }}";
}

/// <summary>
/// The <c>pkcs11</c> seal: the root key is an AES-256 key generated inside an HSM, marked
/// sensitive and non-extractable, so it never leaves the device. The domain key is wrapped and
/// unwrapped by the HSM with AES-GCM (<c>iv(12) ‖ ciphertext ‖ tag(16)</c>, the same AAD as the
/// other seals). Not thread-safe: the server uses it at start and when rewrapping only.
/// </summary>
public sealed class Pkcs11Seal : ISeal
{
    private const int IvSize = 12;
    private readonly Pkcs11InteropFactories _factories = new();

    // A PKCS#11 module is initialised once per process: finalising it for one seal would end
    // every other session on it, so each library stays loaded for the life of the process.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IPkcs11Library> Libraries = new(StringComparer.Ordinal);
    private readonly ISession _session;
    private readonly IObjectHandle _key;

    static Pkcs11Seal()
    {
        // Pkcs11Interop loads "libdl"; glibc 2.34+ (Debian 12) ships only libdl.so.2, so point it there.
        System.Runtime.InteropServices.NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, assembly, path) =>
            name == "libdl" && System.Runtime.InteropServices.NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero);
    }

    private Pkcs11Seal(ISession session, IObjectHandle key)
    {
        _session = session;
        _key = key;
    }

    public string Kind => "pkcs11";

    /// <summary>
    /// Opens the token and finds the root key by label; with <paramref name="createKey"/> makes it
    /// when absent. Throws <see cref="SealException"/> with a clear reason when the HSM, token, PIN
    /// or key is not there.
    /// </summary>
    public static Pkcs11Seal Open(string libraryPath, string tokenLabel, string keyLabel, string pin, bool createKey)
    {
        var factories = new Pkcs11InteropFactories();
        IPkcs11Library library;
        try
        {
            library = Libraries.GetOrAdd(libraryPath, path => factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded));
        }
        catch (Exception error) when (error is Pkcs11Exception or UnmanagedException or DllNotFoundException or IOException)
        {
            throw new SealException($"The PKCS#11 library {libraryPath} could not be loaded: {error.Message}");
        }

        ISession? session = null;
        try
        {
            var slot = library.GetSlotList(SlotsType.WithTokenPresent).FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == tokenLabel)
                ?? throw new SealException($"No PKCS#11 token labelled '{tokenLabel}' is present.");
            session = slot.OpenSession(SessionType.ReadWrite);
            session.Login(CKU.CKU_USER, pin);
            var attributes = factories.ObjectAttributeFactory;
            var found = session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY), attributes.Create(CKA.CKA_LABEL, keyLabel)]);
            IObjectHandle key;
            if (found.Count > 0)
            {
                key = found[0];
            }
            else if (createKey)
            {
                key = session.GenerateKey(factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
                [
                    attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                    attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                    attributes.Create(CKA.CKA_VALUE_LEN, 32),
                    attributes.Create(CKA.CKA_LABEL, keyLabel),
                    attributes.Create(CKA.CKA_TOKEN, true),
                    attributes.Create(CKA.CKA_PRIVATE, true),
                    attributes.Create(CKA.CKA_SENSITIVE, true),
                    attributes.Create(CKA.CKA_EXTRACTABLE, false),
                    attributes.Create(CKA.CKA_ENCRYPT, true),
                    attributes.Create(CKA.CKA_DECRYPT, true),
                ]);
            }
            else
            {
                throw new SealException($"The PKCS#11 token '{tokenLabel}' has no key labelled '{keyLabel}'.");
            }

            return new Pkcs11Seal(session, key);
        }
        catch (Pkcs11Exception error)
        {
            session?.Dispose();
            throw new SealException($"The PKCS#11 token '{tokenLabel}' refused the operation ({error.RV}).");
        }
        catch
        {
            session?.Dispose();
            throw;
        }
    }

    /// <summary>Whether the root key is marked as never leaving the HSM.</summary>
    public bool KeyIsNonExtractable()
    {
        var values = _session.GetAttributeValue(_key, [CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE]);
        return !values[0].GetValueAsBool() && values[1].GetValueAsBool();
    }

    public byte[] WrapDomainKey(SecretBytes domainKey)
    {
        var iv = RandomSource.Bytes(IvSize);
        var plaintext = domainKey.ToArray();
        try
        {
            var sealedKey = _session.Encrypt(Gcm(iv), _key, plaintext);
            return [.. iv, .. sealedKey];
        }
        finally
        {
            SecretBytes.Zero(plaintext);
        }
    }

    public SecretBytes UnwrapDomainKey(ReadOnlySpan<byte> wrapped)
    {
        if (wrapped.Length <= IvSize + 16)
        {
            throw new SealException("The wrapped domain key has the wrong length.");
        }

        byte[] plaintext;
        try
        {
            plaintext = _session.Decrypt(Gcm(wrapped[..IvSize].ToArray()), _key, wrapped[IvSize..].ToArray());
        }
        catch (Pkcs11Exception)
        {
            throw new SealException("The HSM key does not unwrap this deployment's domain key.");
        }

        try
        {
            return SecretBytes.CopyOf(plaintext);
        }
        finally
        {
            SecretBytes.Zero(plaintext);
        }
    }

    private IMechanism Gcm(byte[] iv) =>
        _factories.MechanismFactory.Create(CKM.CKM_AES_GCM, _factories.MechanismParamsFactory.CreateCkGcmParams(iv, IvSize * 8, RootKeyWrap.Aad.ToArray(), 128));

    public void Dispose()
    {
        try
        {
            _session.Logout();
        }
        catch (Pkcs11Exception)
        {
        }

        _session.Dispose();
    }
}
