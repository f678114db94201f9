namespace Coffer.Policy.Tests;

/// <summary>Effect, Action/NotAction, Resource/NotResource and statement shapes in identity-based policies.</summary>
public class IdentityPolicyCases : CaseTable
{
    private const string DenyWins = "IAM policy evaluation logic: an explicit deny in any applicable policy overrides any allow";
    private const string ImplicitDeny = "IAM policy evaluation logic: without an applicable Allow statement the request is implicitly denied";
    private const string AllowApplies = "IAM policy evaluation logic: an Allow statement whose action, resource and conditions match allows the request";
    private const string ActionRule = "IAM JSON policy elements: Action — the statement covers only the actions it lists";
    private const string ActionCase = "IAM JSON policy elements: Action — service prefixes and action names are case-insensitive";
    private const string ActionWild = "IAM JSON policy elements: Action — * matches any run of characters and ? exactly one";
    private const string NotActionRule = "IAM JSON policy elements: NotAction — the statement covers every action except those listed";
    private const string ResourceRule = "IAM JSON policy elements: Resource — the statement covers only the resources it lists";
    private const string ResourceCase = "IAM JSON policy elements: Resource — resource ARNs are matched case-sensitively";
    private const string ResourceWild = "IAM JSON policy elements: Resource — * and ? wildcards may be used within any ARN segment";
    private const string NotResourceRule = "IAM JSON policy elements: NotResource — the statement covers every resource except those listed";
    private const string StatementForm = "IAM policy grammar: Statement is one statement object or an array of them, and every statement is evaluated";
    private const string VersionRule = "IAM JSON policy elements: Version — 2008-10-17 (also the default when Version is absent) is still valid";

    public static TheoryData<Case> Cases => new()
    {
        // Effect and deny precedence
        new("allow on exact action and key ARN", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}"""), Allow, AllowApplies),
        new("allow on another action only is implicit deny", P("""{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}"""), NotApplicable, ImplicitDeny),
        new("lone deny statement denies", P("""{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}"""), Deny, DenyWins),
        new("deny and allow in one policy: deny wins", P("""[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"},{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}]"""), Deny, DenyWins),
        new("deny listed before allow still wins", P("""[{"Effect":"Deny","Action":"kms:*","Resource":"*"},{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]"""), Deny, DenyWins),
        new("deny in a second policy overrides allow in the first", P("""{"Effect":"Allow","Action":"kms:*","Resource":"*"}"""), Deny, DenyWins)
        {
            MorePolicies = [P("""{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}""")],
        },
        new("allow in a second policy applies", P("""{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}"""), Allow, AllowApplies)
        {
            MorePolicies = [P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}""")],
        },
        new("deny for another action does not block", P("""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]"""), Allow, AllowApplies),
        new("deny for another key does not block", P("""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"}]"""), Allow, AllowApplies),
        new("deny whose condition fails does not block", P("""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blocked"}}}]"""), Allow, AllowApplies) { Context = ["aws:PrincipalTag/team=ops"] },
        new("deny whose condition holds blocks", P("""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blocked"}}}]"""), Deny, DenyWins) { Context = ["aws:PrincipalTag/team=blocked"] },
        new("conditional allow failing beside an unconditional allow", P("""[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]"""), Allow, AllowApplies) { Context = ["aws:SecureTransport=false"] },
        new("deny kms:* overrides allow kms:Encrypt across policies", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}"""), Deny, DenyWins)
        {
            MorePolicies = [P("""{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}"""), P("""{"Effect":"Deny","Action":"kms:*","Resource":"*"}""")],
        },

        // Action
        new("Action kms:* covers kms:Encrypt", P("""{"Effect":"Allow","Action":"kms:*","Resource":"*"}"""), Allow, ActionWild),
        new("Action * covers every action", P("""{"Effect":"Allow","Action":"*","Resource":"*"}"""), Allow, ActionWild),
        new("Action kms:Encrypt* matches kms:Encrypt (empty run)", P("""{"Effect":"Allow","Action":"kms:Encrypt*","Resource":"*"}"""), Allow, ActionWild),
        new("Action kms:Re* matches kms:ReEncryptFrom", P("""{"Effect":"Allow","Action":"kms:Re*","Resource":"*"}"""), Allow, ActionWild) { Action = "kms:ReEncryptFrom" },
        new("Action kms:Re* does not match kms:Encrypt", P("""{"Effect":"Allow","Action":"kms:Re*","Resource":"*"}"""), NotApplicable, ActionWild),
        new("Action kms:*Key matches kms:DescribeKey", P("""{"Effect":"Allow","Action":"kms:*Key","Resource":"*"}"""), Allow, ActionWild) { Action = "kms:DescribeKey" },
        new("Action kms:Encryp? matches kms:Encrypt", P("""{"Effect":"Allow","Action":"kms:Encryp?","Resource":"*"}"""), Allow, ActionWild),
        new("Action kms:Encrypt? needs one more character", P("""{"Effect":"Allow","Action":"kms:Encrypt?","Resource":"*"}"""), NotApplicable, ActionWild),
        new("Action KMS:encrypt matches kms:Encrypt", P("""{"Effect":"Allow","Action":"KMS:encrypt","Resource":"*"}"""), Allow, ActionCase),
        new("Action kms:ENCRYPT matches kms:Encrypt", P("""{"Effect":"Allow","Action":"kms:ENCRYPT","Resource":"*"}"""), Allow, ActionCase),
        new("Action Kms:Gen*Key matches kms:GenerateDataKey", P("""{"Effect":"Allow","Action":"Kms:Gen*Key","Resource":"*"}"""), Allow, ActionCase) { Action = "kms:GenerateDataKey" },
        new("Action kms:GenerateDataKey is not a prefix match", P("""{"Effect":"Allow","Action":"kms:GenerateDataKey","Resource":"*"}"""), NotApplicable, ActionRule) { Action = "kms:GenerateDataKeyWithoutPlaintext" },
        new("Action of another service does not match", P("""{"Effect":"Allow","Action":"s3:*","Resource":"*"}"""), NotApplicable, ActionRule),
        new("Action list matches any listed action", P("""{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}"""), Allow, ActionRule),
        new("Action list matches none", P("""{"Effect":"Allow","Action":["kms:Decrypt","kms:Sign"],"Resource":"*"}"""), NotApplicable, ActionRule),

        // NotAction
        new("NotAction kms:Decrypt allows kms:Encrypt", P("""{"Effect":"Allow","NotAction":"kms:Decrypt","Resource":"*"}"""), Allow, NotActionRule),
        new("NotAction kms:Encrypt excludes kms:Encrypt", P("""{"Effect":"Allow","NotAction":"kms:Encrypt","Resource":"*"}"""), NotApplicable, NotActionRule),
        new("NotAction kms:* excludes every KMS action", P("""{"Effect":"Allow","NotAction":"kms:*","Resource":"*"}"""), NotApplicable, NotActionRule),
        new("NotAction iam:* covers KMS actions", P("""{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"""), Allow, NotActionRule),
        new("NotAction is case-insensitive", P("""{"Effect":"Allow","NotAction":"KMS:ENCRYPT","Resource":"*"}"""), NotApplicable, ActionCase),
        new("deny NotAction list denies unlisted kms:ScheduleKeyDeletion", P("""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","NotAction":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]"""), Deny, NotActionRule) { Action = "kms:ScheduleKeyDeletion" },
        new("deny NotAction list spares listed kms:Encrypt", P("""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","NotAction":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]"""), Allow, NotActionRule),

        // Resource
        new("Resource * covers the key", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}"""), Allow, ResourceRule),
        new("Resource names another key", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"}"""), NotApplicable, ResourceRule),
        new("Resource key/* in the region", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}"""), Allow, ResourceWild),
        new("Resource with region wildcard", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:*:111122223333:key/*"}"""), Allow, ResourceWild),
        new("Resource in another region", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-west-2:111122223333:key/*"}"""), NotApplicable, ResourceRule),
        new("Resource in another account", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:444455556666:key/*"}"""), NotApplicable, ResourceRule),
        new("Resource KEY/* does not match key/ (case)", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:KEY/*"}"""), NotApplicable, ResourceCase),
        new("Resource key id in upper case does not match", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/1234ABCD-12AB-34CD-56EF-1234567890AB"}"""), NotApplicable, ResourceCase),
        new("Resource with ? wildcards", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-????-*"}"""), Allow, ResourceWild),
        new("Resource list with the key second", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":["arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321","arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]}"""), Allow, ResourceRule),
        new("Resource alias/* does not cover a key ARN", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:alias/*"}"""), NotApplicable, ResourceRule),

        // NotResource
        new("NotResource another key covers this key", P("""{"Effect":"Allow","Action":"kms:Encrypt","NotResource":"arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"}"""), Allow, NotResourceRule),
        new("NotResource this key excludes it", P("""{"Effect":"Allow","Action":"kms:Encrypt","NotResource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}"""), NotApplicable, NotResourceRule),
        new("NotResource with wildcard excludes the key", P("""{"Effect":"Allow","Action":"kms:Encrypt","NotResource":"arn:aws:kms:*:111122223333:key/*"}"""), NotApplicable, NotResourceRule),
        new("deny NotResource denies keys outside the list", P("""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","NotResource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]"""), Deny, NotResourceRule) { Resource = OtherKey },
        new("deny NotResource spares the listed key", P("""[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","NotResource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]"""), Allow, NotResourceRule),
        new("NotAction and NotResource together", P("""{"Effect":"Allow","NotAction":"kms:Decrypt","NotResource":"arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"}"""), Allow, NotResourceRule),

        // Statement shapes and Version
        new("Statement as a single object", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Allow, StatementForm),
        new("Statement as an array of one", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""", Allow, StatementForm),
        new("second statement of an array allows", P("""[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},{"Sid":"Second","Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]"""), Allow, StatementForm),
        new("Sid does not change the decision", """{"Version":"2012-10-17","Statement":[{"Sid":"AllowEncrypt","Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""", Allow, StatementForm),
        new("Version 2008-10-17 policy still allows", """{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Allow, VersionRule),
        new("policy without Version still allows", """{"Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Allow, VersionRule),
        new("identity policy applies to an assumed-role session", P("""{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}"""), Allow, AllowApplies) { Caller = Session },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Identity_policy_decides_as_AWS_documents(Case c) => c.Verify();

    [Fact]
    public void No_identity_policy_is_not_applicable() =>
        Assert.Equal(IdentityDecision.NotApplicable, PolicyEvaluator.EvaluateIdentity([], new RequestFacts(Alice, "kms:Encrypt", Key)));
}
