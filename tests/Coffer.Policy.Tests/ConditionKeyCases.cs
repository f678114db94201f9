namespace Coffer.Policy.Tests;

/// <summary>AWS KMS condition keys and AWS global condition keys, in key policies and identity policies.</summary>
public class ConditionKeyCases : CaseTable
{
    private const string EncryptionContext = "AWS KMS condition keys: kms:EncryptionContext:context-key matches the value of that key in the request's encryption context, case-sensitively";
    private const string EncryptionContextKeys = "AWS KMS condition keys: kms:EncryptionContextKeys is multivalued; use ForAllValues/ForAnyValue with it";
    private const string CallerAccount = "AWS KMS condition keys: kms:CallerAccount is the account of the caller, used to allow every principal of one account";
    private const string ViaService = "AWS KMS condition keys: kms:ViaService is absent for direct calls, so a condition requiring it fails and Null true matches";
    private const string ViaServiceNegated = "AWS KMS condition keys + condition operators: a negated operator on the absent kms:ViaService is true";
    private const string GrantOperations = "AWS KMS condition keys: kms:GrantOperations is multivalued; ForAllValues restricts a grant to the listed operations";
    private const string GrantIsForAws = "AWS KMS condition keys: kms:GrantIsForAWSResource is true only when an integrated AWS service creates the grant";
    private const string EncryptionAlgorithm = "AWS KMS condition keys: kms:EncryptionAlgorithm is the algorithm requested in the operation";
    private const string RequestAlias = "AWS KMS condition keys: kms:RequestAlias is the alias named in the request, absent when the key is named by ID or ARN";
    private const string ResourceAliases = "AWS KMS condition keys: kms:ResourceAliases is multivalued, the aliases associated with the key";
    private const string KeySpec = "AWS KMS condition keys: kms:KeySpec / kms:KeyUsage / kms:KeyOrigin describe the key or the CreateKey request";
    private const string PrincipalArn = "AWS global condition keys: aws:PrincipalArn is the ARN of the caller (the role ARN for an assumed-role session)";
    private const string PrincipalAccount = "AWS global condition keys: aws:PrincipalAccount is the caller's account ID";
    private const string PrincipalType = "AWS global condition keys: aws:PrincipalType is Account, User or AssumedRole";
    private const string PrincipalTag = "AWS global condition keys: aws:PrincipalTag/tag-key is the caller's tag value";
    private const string RequestTag = "AWS global condition keys: aws:RequestTag/tag-key is the tag value passed in the request";
    private const string ResourceTag = "AWS global condition keys: aws:ResourceTag/tag-key is the tag value on the key";
    private const string TagKeys = "AWS global condition keys: aws:TagKeys is multivalued, the tag keys in the request";
    private const string SourceIp = "AWS global condition keys: aws:SourceIp is the requester's IP address";
    private const string CurrentTime = "AWS global condition keys: aws:CurrentTime / aws:EpochTime are the request time, for date operators";
    private const string SecureTransport = "AWS global condition keys: aws:SecureTransport is true for TLS requests";
    private const string Mfa = "AWS global condition keys: aws:MultiFactorAuthPresent is absent for long-term credentials, so use BoolIfExists";

    public static TheoryData<Case> Cases => new()
    {
        // kms:EncryptionContext:context-key
        new("EncryptionContext pair required by key policy", KeyAllowIf("""{"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}"""), Direct, EncryptionContext) { Context = ["kms:EncryptionContext:AppName=ExampleApp"] },
        new("EncryptionContext value case differs", KeyAllowIf("""{"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}"""), Nothing, EncryptionContext) { Context = ["kms:EncryptionContext:AppName=exampleapp"] },
        new("EncryptionContext pair absent", KeyAllowIf("""{"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}"""), Nothing, EncryptionContext),
        new("EncryptionContext value via StringEqualsIgnoreCase", KeyAllowIf("""{"StringEqualsIgnoreCase":{"kms:EncryptionContext:AppName":"ExampleApp"}}"""), Direct, EncryptionContext) { Context = ["kms:EncryptionContext:AppName=exampleapp"] },
        new("EncryptionContext pattern with StringLike", KeyAllowIf("""{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::reports-bucket/*"}}"""), Direct, EncryptionContext) { Action = "kms:Decrypt", Context = ["kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::reports-bucket/2025/q1.csv"] },

        // kms:EncryptionContextKeys
        new("EncryptionContextKeys ForAnyValue requires one key", AllowIf("""{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}"""), Allow, EncryptionContextKeys) { Context = ["kms:EncryptionContextKeys=AppName|Stage"] },
        new("EncryptionContextKeys ForAnyValue without the key", AllowIf("""{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}"""), NotApplicable, EncryptionContextKeys) { Context = ["kms:EncryptionContextKeys=Stage"] },
        new("EncryptionContextKeys ForAllValues only allowed keys", AllowIf("""{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName","Stage"]}}"""), Allow, EncryptionContextKeys) { Context = ["kms:EncryptionContextKeys=Stage"] },
        new("EncryptionContextKeys ForAllValues extra key", AllowIf("""{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName","Stage"]}}"""), NotApplicable, EncryptionContextKeys) { Context = ["kms:EncryptionContextKeys=AppName|Owner"] },
        new("EncryptionContextKeys ForAllValues with no context", AllowIf("""{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName","Stage"]}}"""), Allow, EncryptionContextKeys),
        new("EncryptionContextKeys ForAllValues is case-sensitive", AllowIf("""{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName"]}}"""), NotApplicable, EncryptionContextKeys) { Context = ["kms:EncryptionContextKeys=appname"] },

        // kms:CallerAccount
        new("CallerAccount matches with Principal *", KeyAllowIf("""{"StringEquals":{"kms:CallerAccount":"111122223333"}}"""), Direct, CallerAccount) { Context = ["kms:CallerAccount=111122223333"] },
        new("CallerAccount of another account", KeyAllowIf("""{"StringEquals":{"kms:CallerAccount":"111122223333"}}"""), Nothing, CallerAccount) { Caller = Carol, Context = ["kms:CallerAccount=444455556666"] },
        new("CallerAccount and ViaService together", KeyAllowIf("""{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"ec2.us-east-1.amazonaws.com"}}"""), Direct, CallerAccount) { Context = ["kms:CallerAccount=111122223333", "kms:ViaService=ec2.us-east-1.amazonaws.com"] },

        // kms:ViaService
        new("ViaService required but the call is direct", KeyAllowIf("""{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}"""), Nothing, ViaService) { Context = ["kms:CallerAccount=111122223333"] },
        new("ViaService StringLike pattern matches", KeyAllowIf("""{"StringLike":{"kms:ViaService":"*.us-east-1.amazonaws.com"}}"""), Direct, ViaService) { Context = ["kms:ViaService=rds.us-east-1.amazonaws.com"] },
        new("Null ViaService true allows direct calls only", AllowIf("""{"Null":{"kms:ViaService":"true"}}"""), Allow, ViaService),
        new("deny StringNotEquals ViaService applies to direct calls", DenyIf("""{"StringNotEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}"""), Deny, ViaServiceNegated) { Action = "kms:Decrypt" },
        new("deny StringNotEqualsIfExists ViaService applies to direct calls", DenyIf("""{"StringNotEqualsIfExists":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}"""), Deny, ViaServiceNegated) { Action = "kms:Decrypt" },
        new("deny StringNotEquals ViaService spares the named service", DenyIf("""{"StringNotEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}"""), Allow, ViaServiceNegated) { Action = "kms:Decrypt", Context = ["kms:ViaService=s3.us-east-1.amazonaws.com"] },

        // kms:GrantOperations and kms:GrantIsForAWSResource
        new("GrantOperations within the allowed set", AllowIf("""{"ForAllValues:StringEquals":{"kms:GrantOperations":["Decrypt","Encrypt"]}}"""), Allow, GrantOperations) { Action = "kms:CreateGrant", Context = ["kms:GrantOperations=Decrypt"] },
        new("GrantOperations with an extra operation", AllowIf("""{"ForAllValues:StringEquals":{"kms:GrantOperations":["Decrypt","Encrypt"]}}"""), NotApplicable, GrantOperations) { Action = "kms:CreateGrant", Context = ["kms:GrantOperations=Decrypt|RetireGrant"] },
        new("GrantOperations ForAnyValue names one operation", AllowIf("""{"ForAnyValue:StringEquals":{"kms:GrantOperations":"Sign"}}"""), Allow, GrantOperations) { Action = "kms:CreateGrant", Context = ["kms:GrantOperations=Sign|Verify"] },
        new("GrantIsForAWSResource true", KeyAllowIf("""{"Bool":{"kms:GrantIsForAWSResource":"true"}}"""), Direct, GrantIsForAws) { Context = ["kms:GrantIsForAWSResource=true"] },
        new("GrantIsForAWSResource absent", KeyAllowIf("""{"Bool":{"kms:GrantIsForAWSResource":"true"}}"""), Nothing, GrantIsForAws),

        // kms:EncryptionAlgorithm, kms:RequestAlias, kms:ResourceAliases, key properties
        new("EncryptionAlgorithm SYMMETRIC_DEFAULT", AllowIf("""{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}"""), Allow, EncryptionAlgorithm) { Context = ["kms:EncryptionAlgorithm=SYMMETRIC_DEFAULT"] },
        new("EncryptionAlgorithm other algorithm", AllowIf("""{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}"""), NotApplicable, EncryptionAlgorithm) { Context = ["kms:EncryptionAlgorithm=RSAES_OAEP_SHA_256"] },
        new("RequestAlias matches a pattern", AllowIf("""{"StringLike":{"kms:RequestAlias":"alias/finance*"}}"""), Allow, RequestAlias) { Context = ["kms:RequestAlias=alias/finance-key"] },
        new("RequestAlias absent when the key ID is used", AllowIf("""{"StringLike":{"kms:RequestAlias":"alias/finance*"}}"""), NotApplicable, RequestAlias),
        new("ResourceAliases ForAnyValue names one alias", AllowIf("""{"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/finance-key"}}"""), Allow, ResourceAliases) { Context = ["kms:ResourceAliases=alias/finance-key|alias/other"] },
        new("ResourceAliases ForAnyValue without the alias", AllowIf("""{"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/finance-key"}}"""), NotApplicable, ResourceAliases) { Context = ["kms:ResourceAliases=alias/hr-key"] },
        new("ResourceAliases ForAllValues:StringLike all finance", AllowIf("""{"ForAllValues:StringLike":{"kms:ResourceAliases":"alias/finance-*"}}"""), Allow, ResourceAliases) { Context = ["kms:ResourceAliases=alias/finance-a|alias/finance-b"] },
        new("KeySpec on CreateKey", AllowIf("""{"StringEquals":{"kms:KeySpec":"SYMMETRIC_DEFAULT","kms:KeyUsage":"ENCRYPT_DECRYPT"}}"""), Allow, KeySpec) { Action = "kms:CreateKey", Resource = "*", Context = ["kms:KeySpec=SYMMETRIC_DEFAULT", "kms:KeyUsage=ENCRYPT_DECRYPT"] },
        new("KeyOrigin other origin", AllowIf("""{"StringEquals":{"kms:KeyOrigin":"AWS_KMS"}}"""), NotApplicable, KeySpec) { Context = ["kms:KeyOrigin=EXTERNAL"] },

        // aws:Principal*
        new("aws:PrincipalArn of a role session is the role ARN", KeyAllowIf("""{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Key*"}}"""), Direct, PrincipalArn) { Caller = Session, Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:role/KeyAdmin"] },
        new("aws:PrincipalArn of another user", KeyAllowIf("""{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/alice"}}"""), Nothing, PrincipalArn) { Caller = Bob, Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:user/bob"] },
        new("aws:PrincipalAccount matches", KeyAllowIf("""{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}"""), Direct, PrincipalAccount) { Context = ["aws:PrincipalAccount=111122223333"] },
        new("aws:PrincipalType AssumedRole", AllowIf("""{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}"""), Allow, PrincipalType) { Caller = Session, Context = ["aws:PrincipalType=AssumedRole"] },
        new("aws:PrincipalType User is not AssumedRole", AllowIf("""{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}"""), NotApplicable, PrincipalType) { Context = ["aws:PrincipalType=User"] },
        new("aws:PrincipalTag value matches", AllowIf("""{"StringEquals":{"aws:PrincipalTag/team":"payments"}}"""), Allow, PrincipalTag) { Context = ["aws:PrincipalTag/team=payments"] },
        new("aws:PrincipalTag absent", AllowIf("""{"StringEquals":{"aws:PrincipalTag/team":"payments"}}"""), NotApplicable, PrincipalTag),

        // Tags
        new("aws:RequestTag value on CreateKey", AllowIf("""{"StringEquals":{"aws:RequestTag/project":"apollo"}}"""), Allow, RequestTag) { Action = "kms:CreateKey", Resource = "*", Context = ["aws:RequestTag/project=apollo"] },
        new("aws:RequestTag other value", AllowIf("""{"StringEquals":{"aws:RequestTag/project":"apollo"}}"""), NotApplicable, RequestTag) { Action = "kms:CreateKey", Resource = "*", Context = ["aws:RequestTag/project=gemini"] },
        new("aws:ResourceTag value on the key", AllowIf("""{"StringEquals":{"aws:ResourceTag/env":"prod"}}"""), Allow, ResourceTag) { Context = ["aws:ResourceTag/env=prod"] },
        new("aws:ResourceTag absent on an untagged key", AllowIf("""{"StringEquals":{"aws:ResourceTag/env":"prod"}}"""), NotApplicable, ResourceTag),
        new("aws:TagKeys restricted to a set", AllowIf("""{"ForAllValues:StringEquals":{"aws:TagKeys":["env","project"]}}"""), Allow, TagKeys) { Action = "kms:TagResource", Context = ["aws:TagKeys=env"] },

        // aws:SourceIp, time, transport, MFA
        new("aws:SourceIp in the office block", KeyAllowIf("""{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"""), Direct, SourceIp) { Context = ["aws:SourceIp=192.0.2.10"] },
        new("aws:SourceIp outside the office block", KeyAllowIf("""{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"""), Nothing, SourceIp) { Context = ["aws:SourceIp=198.51.100.10"] },
        new("aws:CurrentTime inside a window", AllowIf("""{"DateGreaterThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2025-12-31T23:59:59Z"}}"""), Allow, CurrentTime) { Context = ["aws:CurrentTime=2025-07-04T10:00:00Z"] },
        new("aws:CurrentTime after the window", AllowIf("""{"DateGreaterThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2025-12-31T23:59:59Z"}}"""), NotApplicable, CurrentTime) { Context = ["aws:CurrentTime=2026-01-01T00:00:00Z"] },
        new("aws:EpochTime before a deadline", AllowIf("""{"DateLessThan":{"aws:EpochTime":"1767225600"}}"""), Allow, CurrentTime) { Context = ["aws:EpochTime=1751623200"] },
        new("aws:SecureTransport required by key policy", KeyAllowIf("""{"Bool":{"aws:SecureTransport":"true"}}"""), Direct, SecureTransport) { Context = ["aws:SecureTransport=true"] },
        new("aws:MultiFactorAuthPresent absent with BoolIfExists true", AllowIf("""{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"""), Allow, Mfa),
        new("aws:MultiFactorAuthPresent false with BoolIfExists true", AllowIf("""{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"""), NotApplicable, Mfa) { Context = ["aws:MultiFactorAuthPresent=false"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Condition_key_decides_as_AWS_documents(Case c) => c.Verify();
}
