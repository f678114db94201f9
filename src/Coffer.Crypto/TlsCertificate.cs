using System.Security.Cryptography.X509Certificates;

namespace Coffer.Crypto;

/// <summary>Loads the server's TLS certificate and private key from PEM files.</summary>
public static class TlsCertificate
{
    public static X509Certificate2 FromPemFiles(string certificatePath, string keyPath) => X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
}
