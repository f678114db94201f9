namespace Coffer.Policy.Tests;

/// <summary>Policy variables in Resource and in string and ARN condition values.</summary>
public class PolicyVariableCases : CaseTable
{
    private const string InResource = "IAM policy variables: ${key} in Resource is replaced with the request's value of that key";
    private const string InCondition = "IAM policy variables: ${key} may be used in string and ARN condition values";
    private const string NeedsVersion = "IAM policy variables: they need Version 2012-10-17; without it (or with 2008-10-17) ${aws:username} is a literal string";
    private const string NoValue = "IAM policy variables: a variable whose key is not in the request cannot match";
    private const string KeyNames = "IAM policy variables: key names are case-insensitive (aws:CurrentTime equals AWS:currenttime)";
    private const string SpecialChars = "IAM policy variables: ${*}, ${?} and ${$} stand for a literal *, ? and $ that are not wildcards";
    private const string Defaults = "IAM policy variables: ${key, 'default'} uses the default when the key has no value";
    private const string Abac = "IAM tutorial (ABAC): aws:ResourceTag/x equal to ${aws:PrincipalTag/x} grants access when the tags match";

    private const string AliceAlias = "arn:aws:kms:us-east-1:111122223333:alias/alice";

    public static TheoryData<Case> Cases => new()
    {
        new("${aws:username} in Resource matches the user's alias", P("""{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}"}"""), Allow, InResource) { Action = "kms:CreateAlias", Resource = AliceAlias, Context = ["aws:username=alice"] },
        new("${aws:username} in Resource rejects another user's alias", P("""{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}"}"""), NotApplicable, InResource) { Action = "kms:CreateAlias", Resource = "arn:aws:kms:us-east-1:111122223333:alias/bob", Context = ["aws:username=alice"] },
        new("${aws:username} with a wildcard suffix", P("""{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}-*"}"""), Allow, InResource) { Action = "kms:CreateAlias", Resource = "arn:aws:kms:us-east-1:111122223333:alias/alice-logs", Context = ["aws:username=alice"] },
        new("${aws:username} absent for a role session", P("""{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}"}"""), NotApplicable, NoValue) { Caller = Session, Action = "kms:CreateAlias", Resource = AliceAlias },
        new("${AWS:UserName} resolves case-insensitively", P("""{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${AWS:UserName}"}"""), Allow, KeyNames) { Action = "kms:CreateAlias", Resource = AliceAlias, Context = ["aws:username=alice"] },
        new("${aws:PrincipalTag/department} in Resource", P("""{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:PrincipalTag/department}"}"""), Allow, InResource) { Action = "kms:CreateAlias", Resource = "arn:aws:kms:us-east-1:111122223333:alias/finance", Context = ["aws:PrincipalTag/department=finance"] },
        new("Version 2008-10-17 keeps ${aws:username} literal", """{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}"}}""", NotApplicable, NeedsVersion) { Action = "kms:CreateAlias", Resource = AliceAlias, Context = ["aws:username=alice"] },
        new("Version 2008-10-17 matches the literal text", """{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}"}}""", Allow, NeedsVersion) { Action = "kms:CreateAlias", Resource = "arn:aws:kms:us-east-1:111122223333:alias/${aws:username}", Context = ["aws:username=alice"] },
        new("no Version keeps ${aws:username} literal", """{"Statement":{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}"}}""", NotApplicable, NeedsVersion) { Action = "kms:CreateAlias", Resource = AliceAlias, Context = ["aws:username=alice"] },
        new("${aws:username} in a StringEquals value", AllowIf("""{"StringEquals":{"kms:EncryptionContext:owner":"${aws:username}"}}"""), Allow, InCondition) { Context = ["aws:username=alice", "kms:EncryptionContext:owner=alice"] },
        new("${aws:username} in a StringEquals value, other owner", AllowIf("""{"StringEquals":{"kms:EncryptionContext:owner":"${aws:username}"}}"""), NotApplicable, InCondition) { Context = ["aws:username=alice", "kms:EncryptionContext:owner=bob"] },
        new("${aws:username} in a StringLike pattern", AllowIf("""{"StringLike":{"kms:EncryptionContext:path":"home/${aws:username}/*"}}"""), Allow, InCondition) { Context = ["aws:username=alice", "kms:EncryptionContext:path=home/alice/notes.txt"] },
        new("${aws:username} in an ArnLike value", AllowIf("""{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/${aws:username}"}}"""), Allow, InCondition) { Context = ["aws:username=alice", "aws:PrincipalArn=arn:aws:iam::111122223333:user/alice"] },
        new("Version 2008-10-17 keeps a condition variable literal", """{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:owner":"${aws:username}"}}}}""", NotApplicable, NeedsVersion) { Context = ["aws:username=alice", "kms:EncryptionContext:owner=alice"] },
        new("variable for a missing key in a condition value", AllowIf("""{"StringEquals":{"kms:EncryptionContext:owner":"${aws:username}"}}"""), NotApplicable, NoValue) { Caller = Session, Context = ["kms:EncryptionContext:owner=alice"] },
        new("ABAC: resource tag equals principal tag", AllowIf("""{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}"""), Allow, Abac) { Context = ["aws:PrincipalTag/team=payments", "aws:ResourceTag/team=payments"] },
        new("ABAC: resource tag differs from principal tag", AllowIf("""{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}"""), NotApplicable, Abac) { Context = ["aws:PrincipalTag/team=payments", "aws:ResourceTag/team=ledger"] },
        new("${*} matches a literal asterisk", P("""{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/star${*}"}"""), Allow, SpecialChars) { Action = "kms:CreateAlias", Resource = "arn:aws:kms:us-east-1:111122223333:alias/star*" },
        new("${*} in Resource is not a wildcard", P("""{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:111122223333:alias/star${*}"}"""), NotApplicable, SpecialChars) { Action = "kms:CreateAlias", Resource = "arn:aws:kms:us-east-1:111122223333:alias/starlight" },
        new("${?} in StringLike is not a wildcard", AllowIf("""{"StringLike":{"kms:EncryptionContext:question":"why${?}"}}"""), NotApplicable, SpecialChars) { Context = ["kms:EncryptionContext:question=whyX"] },
        new("${$} stands for a dollar sign", AllowIf("""{"StringEquals":{"kms:EncryptionContext:price":"${$}100"}}"""), Allow, SpecialChars) { Context = ["kms:EncryptionContext:price=$100"] },
        new("default value used when the key is missing", AllowIf("""{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team, 'shared'}"}}"""), Allow, Defaults) { Context = ["aws:ResourceTag/team=shared"] },
        new("default value ignored when the key is present", AllowIf("""{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team, 'shared'}"}}"""), Allow, Defaults) { Context = ["aws:PrincipalTag/team=payments", "aws:ResourceTag/team=payments"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Policy_variable_resolves_as_AWS_documents(Case c) => c.Verify();
}
