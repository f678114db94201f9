using System.Text;
using System.Text.Json;
using Coffer.Core;
using Coffer.Crypto;
using Coffer.Policy;
using Coffer.Protocol;
using Coffer.Protocol.Json;
using Coffer.Protocol.Query;
using Coffer.Protocol.SigV4;
using CsCheck;

namespace Coffer.Fuzz.Tests;

/// <summary>
/// Every parser a request reaches, fed generated and mutated input: each one accepts it or refuses
/// it with its own error type (an AWS error, a policy error), and never throws anything else,
/// which would reach the caller as a 500.
/// </summary>
public class ParserProperties
{
    private static readonly IReadOnlySet<string> Secrets = Coffer.Service.OperationTable.Secrets("Plaintext", "CiphertextBlob");

    private static readonly byte[][] KmsBodies =
    [
        .. new[]
        {
            """{"KeyId":"alias/app","Plaintext":"aGVsbG8=","EncryptionContext":{"purpose":"test","team":"blue"}}""",
            """{"CiphertextBlob":"AQIDBAUGBwgJCgsMDQ4PEA==","GrantTokens":["CfrGrant1.abc"],"KeyId":"arn:aws:kms:us-east-1:111122223333:key/6f1c9a3e-6a0b-4c32-9d4e-0b7d2a4f1e11"}""",
            """{"Description":"d","KeyUsage":"ENCRYPT_DECRYPT","KeySpec":"SYMMETRIC_DEFAULT","Tags":[{"TagKey":"a","TagValue":"b"}],"BypassPolicyLockoutSafetyCheck":false}""",
            """{"Limit":5,"Marker":"m"}""",
            """{"KeyId":"6f1c9a3e-6a0b-4c32-9d4e-0b7d2a4f1e11","GranteePrincipal":"arn:aws:iam::111122223333:user/u","Operations":["Encrypt","Decrypt"],"Constraints":{"EncryptionContextSubset":{"a":"b"}},"Name":"n"}""",
            """{"KeyId":"k","PendingWindowInDays":7}""",
            """{"KeyId":"k","NumberOfBytes":32,"KeySpec":"AES_256"}""",
            """{"KeyId":"k","PolicyName":"default","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"}""",
            """{"x":"\ud800","y":"\udc00\ud800","z":"\ud83d\ude00"}""",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    private static readonly byte[][] PolicySeeds =
    [
        .. new[]
        {
            """{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}""",
            """{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/a"]},"NotAction":["kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:team":"${aws:username}"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"NumericLessThan":{"kms:NumberOfBytes":"64"},"ForAnyValue:StringLike":{"kms:GrantOperations":["Encr*"]},"Null":{"aws:PrincipalTag/x":"true"}}}}""",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    private static IReadOnlyList<(string Name, ModelShape Shape)> Operations { get; } = [.. KmsModel.OperationInputs.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal)];

    [Fact]
    public void Any_KMS_body_passes_model_validation_or_gets_an_AWS_error_for_every_operation()
    {
        var gen = Gen.Select(Gen.Int[0, Operations.Count - 1], Fuzz.Mutations(KmsBodies));
        Fuzz.Run(gen, t =>
        {
            var (index, body) = t;
            var shape = Operations[index].Shape;
            JsonDocument document;
            try
            {
                SurrogateEscapes.PrepareBody(body);
                document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            }
            catch (Exception error) when (error is JsonException or KmsException)
            {
                return;
            }

            using (document)
            {
                try
                {
                    RequestValidator.Validate(shape, document.RootElement);
                    // What the event will hold must be one JSON object, whatever the body was.
                    var parameters = AuditRedaction.RequestParameters(shape, document.RootElement, Secrets);
                    using var written = JsonDocument.Parse(parameters);
                    Assert.Equal(JsonValueKind.Object, written.RootElement.ValueKind);
                }
                catch (KmsException)
                {
                }
            }
        }, fixedRun: 6000, print: t => $"{Operations[t.Item1].Name}: {Convert.ToBase64String(t.Item2)}");
    }

    [Fact]
    public void After_surrogate_repair_every_string_and_name_of_a_parsed_body_reads_back_and_writes_as_UTF8()
    {
        Fuzz.Run(Fuzz.Mutations(KmsBodies), body =>
        {
            var repaired = body.ToArray();
            try
            {
                SurrogateEscapes.PrepareBody(repaired);
                Assert.Equal(body.Length, repaired.Length);
                using var document = JsonDocument.Parse(repaired);
                using var sink = new MemoryStream();
                using var writer = new Utf8JsonWriter(sink);
                Copy(document.RootElement, writer);
            }
            catch (Exception error) when (error is JsonException or KmsException { Code: RequestValidator.SerializationError })
            {
            }
        }, fixedRun: 6000, print: Convert.ToBase64String);
    }

    private static void Copy(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Copy(property.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Copy(item, writer);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            default:
                writer.WriteRawValue(element.GetRawText());
                break;
        }
    }

    [Fact]
    public void Any_Authorization_header_parses_or_gets_an_AWS_authentication_error()
    {
        const string real = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        var gen = Gen.OneOf(
            Fuzz.Mutations([Encoding.UTF8.GetBytes(real), "AWS4-HMAC-SHA256 "u8.ToArray(), "Credential=/////, SignedHeaders=;, Signature="u8.ToArray()]).Select(b => Encoding.UTF8.GetString(b)),
            Gen.String);
        Fuzz.Run(gen, header =>
        {
            try
            {
                var parsed = AuthorizationHeader.Parse(header);
                _ = parsed.Scope;
            }
            catch (KmsException)
            {
            }
        }, fixedRun: 6000);
    }

    [Fact]
    public void Any_Query_body_parses_into_parameters()
    {
        var seeds = new[]
        {
            "Action=CreateUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team&Tags.member.1.Value=blue",
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s&DurationSeconds=900",
            "Action=PutUserPolicy&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D&UserName=%01%ED%A0%80",
        }.Select(Encoding.UTF8.GetBytes).ToArray();
        Fuzz.Run(Fuzz.Mutations(seeds), body =>
        {
            var parameters = QueryApiCall.Parameters(body);
            foreach (var (name, value) in parameters)
            {
                _ = QueryWriter.XmlSafe(name) + QueryWriter.XmlSafe(value);
            }
        }, fixedRun: 6000, print: Convert.ToBase64String);
    }

    [Fact]
    public void Any_policy_document_parses_and_evaluates_or_gets_a_policy_error()
    {
        var caller = new Caller("arn:aws:iam::111122223333:user/a", "111122223333", CallerKind.User, "AIDAEXAMPLE", "a");
        Fuzz.Run(Fuzz.Mutations(PolicySeeds), bytes =>
        {
            PolicyDocument policy;
            try
            {
                policy = PolicyDocument.Parse(Encoding.UTF8.GetString(bytes), PolicyDocument.Kind.Resource);
            }
            catch (PolicyParseException)
            {
                return;
            }

            var facts = new RequestFacts(caller, "kms:Encrypt", "arn:aws:kms:us-east-1:111122223333:key/k")
                .With("aws:CurrentTime", "2026-12-01T00:00:00Z").With("aws:SourceIp", "10.1.2.3").With("kms:NumberOfBytes", "32")
                .With("kms:EncryptionContext:team", "a").With("kms:GrantOperations", "Encrypt", "Decrypt");
            _ = PolicyEvaluator.EvaluateResource(policy, facts);
            _ = PolicyEvaluator.EvaluateIdentity([policy], facts);
        }, fixedRun: 6000, print: b => Encoding.UTF8.GetString(b));
    }

    [Fact]
    public void Any_ciphertext_blob_is_read_or_refused_without_an_exception_and_only_the_original_decrypts()
    {
        using var material = SecretBytes.Random(32);
        var keyId = Guid.NewGuid();
        var context = Encoding.UTF8.GetBytes("ctx");
        var original = SymmetricCiphertext.Encrypt(material, keyId, 1, "plaintext"u8, context);
        Fuzz.Run(Gen.OneOf(Fuzz.Mutations([original]), Gen.Byte.Array[0, 300]), blob =>
        {
            _ = SymmetricCiphertext.TryReadHeader(blob, out _, out _);
            using var plaintext = SymmetricCiphertext.TryDecrypt(material, blob, context);
            Assert.True(plaintext is null || blob.AsSpan().SequenceEqual(original), "a changed blob decrypted");
        }, fixedRun: 4000, print: Convert.ToBase64String);
    }
}
