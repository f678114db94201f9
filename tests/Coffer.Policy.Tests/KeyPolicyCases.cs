namespace Coffer.Policy.Tests;

/// <summary>Principal and NotPrincipal matching, and Deny in key policies and role trust policies.</summary>
public class KeyPolicyCases : CaseTable
{
    private const string Anyone = "IAM JSON policy elements: Principal — \"*\" and {\"AWS\":\"*\"} name every principal";
    private const string AccountPrincipal = "AWS KMS key policies: a Principal naming the account (ID or arn:aws:iam::ACCOUNT:root) lets IAM policies in that account control access";
    private const string RootIsAccount = "IAM JSON policy elements: Principal — the account principal (arn:aws:iam::ACCOUNT:root or its ID) is the account itself, i.e. its root user";
    private const string UserPrincipal = "IAM JSON policy elements: Principal — an IAM user ARN names that user only";
    private const string RolePrincipal = "IAM JSON policy elements: Principal — a role ARN covers every assumed-role session of that role";
    private const string SessionPrincipal = "IAM JSON policy elements: Principal — an assumed-role session ARN names that session only";
    private const string OtherPrincipal = "IAM JSON policy elements: Principal — a statement applies only to the principals it names";
    private const string ServicePrincipal = "IAM JSON policy elements: Principal — a Service principal names an AWS service, not IAM users or roles";
    private const string ResourceDeny = "IAM policy evaluation logic: an explicit deny in a resource-based policy overrides any allow";
    private const string NotPrincipalRule = "IAM JSON policy elements: NotPrincipal — with Deny, the actions are denied to all principals except the ones specified";
    private const string NotPrincipalExample = "IAM JSON policy elements: NotPrincipal — example: NotPrincipal [Bob, arn:aws:iam::ACCOUNT:root] denies all principals except Bob";
    private const string NotPrincipalSession = "IAM JSON policy elements: NotPrincipal — example: NotPrincipal [session, role, account] denies all principals except that assumed-role session";
    private const string DefaultKeyPolicy = "AWS KMS default key policy: the root principal statement enables IAM policies in the account and gives the root user access";
    private const string KeyPolicyAction = "AWS KMS key policies: a statement allows only the actions it lists to the principals it names";
    private const string TrustPolicy = "IAM roles: a trust policy has no Resource element; its Principal decides who may call sts:AssumeRole";
    private const string CrossAccount = "AWS KMS: a key policy naming another account delegates to that account's IAM policies (cross-account access)";

    private const string Admins = """["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"]""";
    private const string RoleArn = "arn:aws:iam::111122223333:role/KeyAdmin";

    public static TheoryData<Case> Cases => new()
    {
        // Principal forms
        new("Principal * names a user", P("""{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}"""), Direct, Anyone),
        new("Principal AWS * names a user", P("""{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, Anyone),
        new("Principal AWS * names another account's user", P("""{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, Anyone) { Caller = Carol },
        new("Principal * names an assumed-role session", P("""{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}"""), Direct, Anyone) { Caller = Session },
        new("Principal account ID delegates for a user", P("""{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Encrypt","Resource":"*"}"""), ToAccount, AccountPrincipal),
        new("Principal root ARN delegates for a user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Encrypt","Resource":"*"}"""), ToAccount, AccountPrincipal),
        new("Principal root ARN delegates for a role session", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Encrypt","Resource":"*"}"""), ToAccount, AccountPrincipal) { Caller = Session },
        new("Principal root ARN names the root user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, RootIsAccount) { Caller = Root },
        new("Principal account ID names the root user", P("""{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, RootIsAccount) { Caller = Root },
        new("Principal user ARN names that user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, UserPrincipal),
        new("Principal user ARN does not name another user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, UserPrincipal) { Caller = Bob },
        new("Principal user ARN does not name the root user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, UserPrincipal) { Caller = Root },
        new("Principal role ARN names its session", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, RolePrincipal) { Caller = Session },
        new("Principal role ARN names every session of the role", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, RolePrincipal) { Caller = OtherSession },
        new("Principal of another role does not name the session", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Auditor"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, OtherPrincipal) { Caller = Session },
        new("Principal role ARN does not name an IAM user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, OtherPrincipal),
        new("Principal session ARN names that session", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/KeyAdmin/admin-session"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, SessionPrincipal) { Caller = Session },
        new("Principal session ARN does not name another session", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/KeyAdmin/admin-session"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, SessionPrincipal) { Caller = OtherSession },
        new("Principal of another account's root does not name our user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, OtherPrincipal),
        new("Principal of another account ID does not name our user", P("""{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, OtherPrincipal),
        new("Principal of our account does not name another account's user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, OtherPrincipal) { Caller = Carol },
        new("Principal of our account does not name another account's root", P("""{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, OtherPrincipal) { Caller = OtherRoot },
        new("Principal naming another account delegates to it", P("""{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Encrypt","Resource":"*"}"""), ToAccount, CrossAccount) { Caller = Carol },
        new("Principal naming another account's user names it directly", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/carol"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, UserPrincipal) { Caller = Carol },
        new("Principal list names the user second", P("""{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/bob","arn:aws:iam::111122223333:user/alice"]},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, UserPrincipal),
        new("separate account and user statements both apply", P("""[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Encrypt","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}]"""), new ResourceDecision(false, true, true), AccountPrincipal),
        new("Service principal does not name an IAM user", P("""{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"kms:Encrypt","Resource":"*"}"""), Nothing, ServicePrincipal),
        new("Service and AWS principals in one map", P("""{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}"""), Direct, UserPrincipal),
        new("named principal but another action", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*"}"""), Nothing, KeyPolicyAction),
        new("named principal but another key in Resource", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"}"""), Nothing, KeyPolicyAction),
        new("per-user statements: Alice cannot use Bob's grant", P("""[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:Decrypt","Resource":"*"}]"""), Nothing, KeyPolicyAction) { Action = "kms:Decrypt" },

        // Default key policy and key administrators
        new("default key policy delegates for a user", P("""{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"""), ToAccount, DefaultKeyPolicy) { Action = "kms:ScheduleKeyDeletion" },
        new("default key policy allows the root user", P("""{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"""), Direct, DefaultKeyPolicy) { Caller = Root, Action = "kms:PutKeyPolicy" },
        new("key administrators may put the key policy", P($$"""{"Sid":"Allow access for Key Administrators","Effect":"Allow","Principal":{"AWS":"{{RoleArn}}"},"Action":{{Admins}},"Resource":"*"}"""), Direct, KeyPolicyAction) { Caller = Session, Action = "kms:PutKeyPolicy" },
        new("key administrators may not encrypt", P($$"""{"Sid":"Allow access for Key Administrators","Effect":"Allow","Principal":{"AWS":"{{RoleArn}}"},"Action":{{Admins}},"Resource":"*"}"""), Nothing, KeyPolicyAction) { Caller = Session },

        // Deny
        new("Deny to * denies", P("""{"Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*"}"""), Denied, ResourceDeny),
        new("Deny and Allow to the same user", P("""[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}]"""), new ResourceDecision(true, true, false), ResourceDeny),
        new("Deny to another user does not apply", P("""[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:*","Resource":"*"}]"""), Direct, OtherPrincipal),
        new("Deny to the account applies to its users", P("""[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}]"""), new ResourceDecision(true, false, true), ResourceDeny) { Action = "kms:ScheduleKeyDeletion" },
        new("Deny for another action does not apply", P("""[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]"""), Direct, KeyPolicyAction),
        new("Deny whose condition fails does not apply", P("""[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]"""), Direct, ResourceDeny) { Context = ["aws:SecureTransport=true"] },
        new("Deny whose condition holds applies", P("""[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]"""), new ResourceDecision(true, true, false), ResourceDeny) { Context = ["aws:SecureTransport=false"] },
        new("Deny other organisations via aws:PrincipalAccount", P("""{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}}"""), Denied, ResourceDeny) { Caller = Carol, Context = ["aws:PrincipalAccount=444455556666"] },
        new("Deny other accounts spares our own", P("""{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}}"""), Nothing, ResourceDeny) { Context = ["aws:PrincipalAccount=111122223333"] },

        // NotPrincipal
        new("NotPrincipal Deny applies to an unlisted user", P("""{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:*","Resource":"*"}"""), Denied, NotPrincipalRule),
        new("NotPrincipal Deny spares the listed user", P("""{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:root"]},"Action":"kms:*","Resource":"*"}"""), Nothing, NotPrincipalExample),
        new("NotPrincipal Deny [Bob, account] still denies Alice", P("""{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/bob","arn:aws:iam::111122223333:root"]},"Action":"kms:*","Resource":"*"}"""), Denied, NotPrincipalExample),
        new("NotPrincipal Deny [Alice, account] denies another account's user", P("""{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:root"]},"Action":"kms:*","Resource":"*"}"""), Denied, NotPrincipalRule) { Caller = Carol },
        new("NotPrincipal Deny [Alice] denies the root user", P("""{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}"""), Denied, NotPrincipalRule) { Caller = Root },
        new("NotPrincipal Deny [session, role, account] spares that session", P("""{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app","arn:aws:iam::444455556666:role/cross-account-read-only-role","arn:aws:iam::444455556666:root"]},"Action":"kms:*","Resource":"*"}"""), Nothing, NotPrincipalSession) { Caller = AuditSession },
        new("NotPrincipal Deny [session, role, account] denies another session", P("""{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app","arn:aws:iam::444455556666:role/cross-account-read-only-role","arn:aws:iam::444455556666:root"]},"Action":"kms:*","Resource":"*"}"""), Denied, NotPrincipalSession) { Caller = OtherAuditSession },
        new("NotPrincipal Deny for another action does not apply", P("""{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}"""), Nothing, NotPrincipalRule),

        // Trust policies
        new("trust policy names the user", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}"""), Direct, TrustPolicy) { Action = "sts:AssumeRole", Resource = RoleArn },
        new("trust policy names the account", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}"""), ToAccount, TrustPolicy) { Action = "sts:AssumeRole", Resource = RoleArn },
        new("trust policy for a service does not name a user", P("""{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"""), Nothing, ServicePrincipal) { Action = "sts:AssumeRole", Resource = RoleArn },
        new("trust policy with sts:ExternalId present", P("""{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Unique-1234"}}}"""), ToAccount, TrustPolicy) { Caller = Carol, Action = "sts:AssumeRole", Resource = RoleArn, Context = ["sts:ExternalId=Unique-1234"] },
        new("trust policy with sts:ExternalId missing", P("""{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Unique-1234"}}}"""), Nothing, TrustPolicy) { Caller = Carol, Action = "sts:AssumeRole", Resource = RoleArn },
        new("trust policy for sts:AssumeRole does not cover sts:TagSession", P("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}"""), Nothing, TrustPolicy) { Action = "sts:TagSession", Resource = RoleArn },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Key_policy_decides_as_AWS_documents(Case c) => c.Verify();
}
