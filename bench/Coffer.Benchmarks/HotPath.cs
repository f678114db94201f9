using System.Net;
using System.Text;
using System.Text.Json;
using Coffer.Audit;
using Coffer.Barrier;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Protocol.Json;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Coffer.Service.Authorization;
using Coffer.Service.Identity;
using Coffer.Service.Operations;
using Coffer.Service.Pipeline;
using Coffer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Benchmarks;

/// <summary>
/// One signed KMS Encrypt request (32 bytes of plaintext, a one-pair encryption context, from an
/// IAM user with an allow-all inline policy, as the load generator sends it) and each part of the
/// hot path it goes through, run by the product's own classes. The benchmarks and the
/// allocation-budget test both drive this class, so what is timed and what is budgeted are the same code.
/// <para>
/// The store answers from memory and the clock stands still, so every cache the request path has
/// (access keys, compiled policies) stays warm: each part is measured without I/O, and a part that
/// would wait on the store throws instead of being measured.
/// </para>
/// </summary>
public sealed class HotPath : IDisposable
{
    public const string AccountId = "111122223333";
    public const string Region = "us-east-1";
    public const string AccessKeyId = "AKIAHOTPATHEXAMPLE01";
    public const string UserArn = $"arn:aws:iam::{AccountId}:user/admin";

    /// <summary>The caller's address: inside the network the conditional key policy allows.</summary>
    public const string SourceIp = "10.0.0.5";

    public const int PlaintextBytes = 32;
    private const string DateStamp = "20261129";
    private const string AmzDate = $"{DateStamp}T120000Z";
    private const string Scope = $"{DateStamp}/{Region}/kms/aws4_request";
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Services = ["kms"];

    /// <summary>What an AWS SDK signs on a KMS JSON request; User-Agent is sent but, as SDKs do, not signed.</summary>
    private static readonly string[] SignedHeaders = ["content-type", "host", "x-amz-date", "x-amz-target"];

    /// <summary>Allows the admin user's Encrypt only with the tenant's context, from the application network, for its own account.</summary>
    private static readonly string ConditionalKeyPolicy = $$"""
        {
          "Version": "2012-10-17",
          "Id": "key-conditional",
          "Statement": [
            { "Sid": "Administration", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::{{AccountId}}:root" },
              "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"], "Resource": "*" },
            { "Sid": "Use from the application network", "Effect": "Allow", "Principal": { "AWS": "{{UserArn}}" },
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
              "Condition": {
                "StringEquals": { "kms:EncryptionContext:tenant": "acme", "kms:CallerAccount": "{{AccountId}}" },
                "IpAddress": { "aws:SourceIp": "10.0.0.0/8" } } },
            { "Sid": "Only the default algorithm", "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "kms:Encrypt", "Resource": "*",
              "Condition": { "StringNotEquals": { "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT" } } }
          ]
        }
        """;

    private const string AllowAllIdentityPolicy = """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "*" } ] }""";

    private readonly FakeTimeProvider _clock = new(Now);
    private readonly Keyring _keyring;
    private readonly InMemoryReads _store;
    private readonly AccessKeyDirectory _directory;
    private readonly SigV4Authenticator _authenticator;
    private readonly KmsAuthorizer _authorizer;
    private readonly SecretBytes _secret = SecretBytes.CopyOf("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"u8);
    private readonly SecretBytes _material = SecretBytes.Random(32);
    private readonly byte[] _plaintext = new byte[PlaintextBytes];
    private readonly byte[] _canonicalContext = EncryptionContextEncoding.Encode(new Dictionary<string, string> { ["tenant"] = "acme" });
    private readonly byte[] _body;
    private readonly string _payloadHash;
    private readonly string _stringToSign;
    private readonly string _signature;
    private readonly DefaultHttpContext _http = new();
    private readonly JsonApiCall _call;
    private readonly OperationSpec _encryptSpec;
    private readonly Operation<EncryptRequest, EncryptResponse> _encrypt;
    private readonly EncryptRequest _request;
    private readonly Principal _principal;
    private readonly KmsKey _defaultPolicyKey;
    private readonly KmsKey _conditionalPolicyKey;
    private readonly Guid _keyGuid;
    private readonly byte[] _ciphertext;
    private readonly AuditEvent _auditEvent;

    public HotPath()
    {
        _keyring = new Keyring(_clock);
        _keyring.Install(new RecordBarrier(SecretBytes.Random(32), 1));
        _defaultPolicyKey = NewKey();
        _conditionalPolicyKey = NewKey();
        _keyGuid = Guid.Parse(_defaultPolicyKey.KeyId);
        _store = InMemoryReads.Create(
            new AccessKeyRecord(AccessKeyId, AccountId, UserArn, "admin", AccessKeyStatus.Active,
                _keyring.Barrier.Encrypt(RecordIds.AccessKeySecret(AccessKeyId), _secret.Span), Now),
            new PrincipalRecord(UserArn, AccountId, PrincipalKind.User, "admin", "AIDAHOTPATHEXAMPLE01", "/", Now),
            [new PrincipalPolicy(UserArn, "allow-all", AllowAllIdentityPolicy)],
            new Dictionary<string, string>
            {
                [_defaultPolicyKey.KeyId] = KeyPolicies.Default(AccountId),
                [_conditionalPolicyKey.KeyId] = ConditionalKeyPolicy,
            });
        var store = (ICofferStore)(object)_store;
        _directory = new AccessKeyDirectory(store, _keyring, _clock);
        _authenticator = new SigV4Authenticator(_directory, new OneRegion(), _clock);
        var policies = new PolicyCache(store, _clock, _keyring);
        _authorizer = new KmsAuthorizer(store, policies, _clock);

        // The Encrypt row of the real operation table: its request type and the members its audit event leaves out.
        _encryptSpec = OperationTable.Kms(new ServiceParts(null!, null!, new Service.Keys.KeyPairGenerator(), null!, null!, _clock, new KmsLimits(), null!, null!))
            .Single(row => row.Name == "Encrypt");
        _encrypt = (Operation<EncryptRequest, EncryptResponse>)_encryptSpec.Operation;

        _body = Encoding.UTF8.GetBytes(
            $$$"""{"KeyId":"{{{_defaultPolicyKey.KeyId}}}","Plaintext":"{{{Convert.ToBase64String(_plaintext)}}}","EncryptionContext":{"tenant":"acme"}}""");
        _payloadHash = SigV4Crypto.Sha256Hex(_body);
        var request = _http.Request;
        request.Method = "POST";
        request.Path = "/";
        _http.Features.Get<IHttpRequestFeature>()!.RawTarget = "/";
        request.Host = new HostString("127.0.0.1:8080");
        request.ContentType = "application/x-amz-json-1.1";
        request.ContentLength = _body.Length;
        request.Headers["X-Amz-Date"] = AmzDate;
        request.Headers["X-Amz-Target"] = "TrentService.Encrypt";
        request.Headers.UserAgent = "aws-sdk-dotnet-coreclr/4.0.0 ua/2.1 os/linux lang/.NET_Core md/10.0";
        request.Body = new MemoryStream(_body, writable: false);
        _http.Connection.RemoteIpAddress = IPAddress.Parse(SourceIp);
        var signed = SigV4RequestSigner.Sign("POST", "/", "", SignedHeaders.Select(name => KeyValuePair.Create(name, SignedValue(name))),
            _payloadHash, AccessKeyId, _secret, Region, "kms", AmzDate);
        request.Headers.Authorization = signed.Authorization;
        _stringToSign = signed.StringToSign;
        _signature = signed.Signature;

        // What the pipeline has done by the time each part runs: the body read, the caller known, the request parsed.
        _call = new JsonApiCall(_http, _authenticator);
        Completed(_call.ReceiveAsync(CancellationToken.None));
        _principal = VerifySigV4();
        _request = ParseEncryptRequest();
        _ciphertext = EncryptCiphertext();
        var context = NewContext(SourceIp);
        context.Touch(_defaultPolicyKey.Arn);
        _auditEvent = RequestEvents.For(_call, _encryptSpec, context, null, _call.RequestId, Now);
    }

    /// <summary>How many times the store was asked; it stops rising once every cache is warm.</summary>
    public int StoreCalls => _store.Calls;

    /// <summary>The plaintext the request carries (zeros).</summary>
    public ReadOnlySpan<byte> Plaintext => _plaintext;

    /// <summary>The KeyId the request names.</summary>
    public string KeyId => _defaultPolicyKey.KeyId;

    /// <summary>Request parsing: the body validated against the KMS model, its audit parameters taken, and deserialised into the typed request.</summary>
    public EncryptRequest ParseEncryptRequest() => (EncryptRequest)_call.ReadRequest(_encryptSpec);

    /// <summary>SigV4 verification as a request gets it: the Authorization header parsed, scope and clock checked, the access key found, the signature recomputed and compared.</summary>
    public Principal VerifySigV4() => Completed(_authenticator.AuthenticateAsync(_http.Request, _body, Services, CancellationToken.None)).Principal;

    /// <summary>Policy evaluation with AWS's default key policy: the account delegates, so the caller's IAM policy decides too.</summary>
    public void AuthorizeWithDefaultKeyPolicy() => Authorize(_defaultPolicyKey, SourceIp);

    /// <summary>Policy evaluation with a key policy whose statement for the caller has conditions on the context, the source address and the account.</summary>
    public void AuthorizeWithConditionalKeyPolicy() => Authorize(_conditionalPolicyKey, SourceIp);

    /// <summary>Whether the conditional key policy allows the request from <paramref name="sourceIp"/>; shows its conditions are evaluated.</summary>
    public bool ConditionalKeyPolicyAllows(string sourceIp)
    {
        try
        {
            Authorize(_conditionalPolicyKey, sourceIp);
            return true;
        }
        catch (KmsException error) when (error.Code == KmsErrors.AccessDenied)
        {
            return false;
        }
    }

    /// <summary>Ciphertext encode: HKDF, AES-GCM and the blob's header, for 32 bytes.</summary>
    public byte[] EncryptCiphertext() => SymmetricCiphertext.Encrypt(_material, _keyGuid, 1, _plaintext, _canonicalContext);

    /// <summary>Ciphertext decode of the blob <see cref="EncryptCiphertext"/> made; throws when it does not authenticate.</summary>
    public SecretBytes DecryptCiphertext() =>
        SymmetricCiphertext.TryDecrypt(_material, _ciphertext, _canonicalContext) ?? throw new InvalidOperationException("The ciphertext did not authenticate.");

    /// <summary>
    /// Audit event serialisation as the trail does it per request: the Encrypt call's event as the
    /// canonical JSON, both the UTF-8 bytes the hash chain covers and the text the store keeps.
    /// </summary>
    public (byte[] Utf8, string Text) SerializeAuditEvent() => _auditEvent.Serialize();

    /// <summary>The canonical request hashed into the string to sign: one step of <see cref="VerifySigV4"/>.</summary>
    public string StringToSign() => SigV4Authenticator.StringToSign(_http.Request, SignedHeaders, _payloadHash, AmzDate, Scope);

    /// <summary>The signing key derived and the signature compared: the HMAC step of <see cref="VerifySigV4"/>.</summary>
    public bool SignatureMatches() => SigV4Crypto.SignatureMatches(_secret, DateStamp, Region, "kms", _stringToSign, _signature);

    /// <summary>The body parsed and checked against the KMS model, without the audit parameters or deserialisation: one step of <see cref="ParseEncryptRequest"/>.</summary>
    public void ParseAndValidateEncryptBody()
    {
        using var document = JsonDocument.Parse(_body);
        RequestValidator.Validate(KmsModel.OperationInputs["Encrypt"], document.RootElement);
    }

    private void Authorize(KmsKey key, string sourceIp)
    {
        // A new context per request, as the pipeline makes one: it caches the caller's identity policies for one request only.
        var context = NewContext(sourceIp);
        var (operation, request) = (_encrypt, _request);
        // The same arguments OperationSteps.RunAsync passes for an operation authorized on its key.
        Completed(_authorizer.AuthorizeAsync(context, _encryptSpec.Action, key, CancellationToken.None,
            facts => operation.Conditions(facts.RequestAlias(operation.KeyIdOf(request)), request),
            operation.GrantContext(request), operation.GrantLimit(request)));
    }

    private RequestContext NewContext(string sourceIp) => new(_principal, Region, _call.RequestId, sourceIp, SecureTransport: false);

    private string SignedValue(string name) => name == "host" ? _http.Request.Host.Value! : _http.Request.Headers[name].ToString();

    private static KmsKey NewKey() => new()
    {
        KeyId = Guid.NewGuid().ToString("D"), AccountId = AccountId, Region = Region, CreationDate = Now, State = KeyState.Enabled,
    };

    /// <summary>
    /// The result of a step that must finish without waiting: every part here runs on warm caches,
    /// so one that goes asynchronous has reached for the store and would measure I/O, not the part.
    /// </summary>
    private static T Completed<T>(ValueTask<T> task) =>
        task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("A hot-path step went asynchronous: a cache missed.");

    private static void Completed(ValueTask task)
    {
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A hot-path step went asynchronous: a cache missed.");
        }

        task.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _call.Dispose();
        _directory.Dispose();
        _keyring.Dispose();
        _secret.Dispose();
        _material.Dispose();
    }

    private sealed class OneRegion : IRegionPolicy
    {
        public bool Serves(string region) => region == Region;
    }
}
