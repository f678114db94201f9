using Coffer.Protocol.Json;
using Coffer.Service;
using Coffer.Service.Pipeline;

namespace Coffer.Fuzz.Tests;

/// <summary>The operation table against the KMS API model: what it redacts and what it can read.</summary>
public class OperationTableTests
{
    // Constructing the operations touches none of their parts, so the rows can be read without a server.
    private static readonly OperationSpec[] KmsRows = [.. OperationTable.Kms(new ServiceParts(null!, null!, new Service.Keys.KeyPairGenerator(), null!, null!, TimeProvider.System, new KmsLimits(), null!, null!))];

    public static TheoryData<string> KmsOperations() => [.. KmsRows.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(KmsOperations))]
    public void A_row_names_secret_every_member_the_model_marks_sensitive_or_binary(string operation)
    {
        var row = KmsRows.Single(r => r.Name == operation);
        var secret = new HashSet<string>(StringComparer.Ordinal);
        Collect(KmsModel.OperationInputs[operation], secret, []);
        if (KmsModel.OperationOutputs.TryGetValue(operation, out var output))
        {
            Collect(output, secret, []);
        }

        Assert.All(secret, name => Assert.Contains(name, row.Secrets));
    }

    [Theory]
    [MemberData(nameof(KmsOperations))]
    public void A_row_is_a_model_operation_whose_request_the_wire_can_read(string operation)
    {
        var row = KmsRows.Single(r => r.Name == operation);
        Assert.True(KmsModel.OperationInputs.ContainsKey(operation), $"{operation} is not in the KMS API model");
        var typeInfo = KmsJson.TypeInfo(row.RequestType);
        Assert.Equal(System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object, typeInfo.Kind);
        Assert.All(KmsModel.OperationInputs[operation].Required, member => Assert.Contains(typeInfo.Properties, p => p.Name == member));
    }

    [Fact]
    public void The_redaction_check_sees_the_secrets_it_must()
    {
        // Guards the test above against passing vacuously: the model's own secrets of Decrypt are found.
        var found = new HashSet<string>(StringComparer.Ordinal);
        Collect(KmsModel.OperationOutputs["Decrypt"], found, []);
        Collect(KmsModel.OperationInputs["Decrypt"], found, []);
        Assert.Contains("Plaintext", found);
        Assert.Contains("CiphertextBlob", found);
    }

    private static void Collect(ModelShape shape, HashSet<string> secret, HashSet<ModelShape> seen)
    {
        if (!seen.Add(shape))
        {
            return;
        }

        foreach (var (name, member) in shape.Members)
        {
            if (member.Sensitive || member.Type == "blob")
            {
                secret.Add(name);
            }

            Collect(member, secret, seen);
        }

        foreach (var nested in new[] { shape.Member, shape.Value })
        {
            if (nested is not null)
            {
                Collect(nested, secret, seen);
            }
        }
    }
}
