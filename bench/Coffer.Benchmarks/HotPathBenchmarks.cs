using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Coffer.Crypto;
using Coffer.Protocol.Json;
using Coffer.Protocol.SigV4;
using Microsoft.AspNetCore.Http;

namespace Coffer.Benchmarks;

/// <summary>The steps every Encrypt or Decrypt request goes through, one by one.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private readonly SecretBytes _material = SecretBytes.Random(32);
    private readonly SecretBytes _secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
    private readonly Guid _keyId = Guid.NewGuid();
    private readonly byte[] _plaintext = new byte[256];
    private readonly byte[] _context = EncryptionContextEncoding.Encode(new Dictionary<string, string> { ["tenant"] = "acme" });
    private byte[] _blob = [];
    private byte[] _encryptBody = [];
    private DefaultHttpContext _http = null!;
    private string _stringToSign = "";
    private string _signature = "";
    private static readonly string[] SignedHeaders = ["content-type", "host", "x-amz-date", "x-amz-target"];

    [GlobalSetup]
    public void Setup()
    {
        _blob = SymmetricCiphertext.Encrypt(_material, _keyId, 1, _plaintext, _context);
        _encryptBody = Encoding.UTF8.GetBytes($"{{\"KeyId\":\"{_keyId}\",\"Plaintext\":\"{Convert.ToBase64String(_plaintext)}\",\"EncryptionContext\":{{\"tenant\":\"acme\"}}}}");
        _http = new DefaultHttpContext();
        _http.Request.Method = "POST";
        _http.Request.Path = "/";
        _http.Request.Host = new HostString("127.0.0.1:8080");
        _http.Request.Headers["Content-Type"] = "application/x-amz-json-1.1";
        _http.Request.Headers["X-Amz-Date"] = "20261129T120000Z";
        _http.Request.Headers["X-Amz-Target"] = "TrentService.Encrypt";
        var signed = SigV4RequestSigner.Sign("POST", "/", "", SignedHeaders.Select(name => KeyValuePair.Create(name, _http.Request.Headers[name].ToString())),
            SigV4Crypto.Sha256Hex(_encryptBody), "AKIDEXAMPLE", _secret, "us-east-1", "kms", "20261129T120000Z");
        _stringToSign = signed.StringToSign;
        _signature = signed.Signature;
    }

    /// <summary>The verifier's path: canonical request written to a pooled buffer and hashed there.</summary>
    [Benchmark]
    public string StringToSign() =>
        SigV4Authenticator.StringToSign(_http.Request, SignedHeaders, SigV4Crypto.Sha256Hex(_encryptBody), "20261129T120000Z", "20261129/us-east-1/kms/aws4_request");

    [Benchmark]
    public bool VerifySignature() => SigV4Crypto.SignatureMatches(_secret, "20261129", "us-east-1", "kms", _stringToSign, _signature);

    [Benchmark]
    public void ParseAndValidateEncryptBody()
    {
        using var document = JsonDocument.Parse(_encryptBody);
        RequestValidator.Validate(KmsModel.OperationInputs["Encrypt"], document.RootElement);
    }

    [Benchmark]
    public byte[] EncryptCiphertext() => SymmetricCiphertext.Encrypt(_material, _keyId, 1, _plaintext, _context);

    [Benchmark]
    public int DecryptCiphertext()
    {
        using var plaintext = SymmetricCiphertext.TryDecrypt(_material, _blob, _context)!;
        return plaintext.Length;
    }
}
