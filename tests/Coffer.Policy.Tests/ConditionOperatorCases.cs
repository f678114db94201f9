namespace Coffer.Policy.Tests;

/// <summary>Every condition operator family, IfExists, Null, set qualifiers, and AND/OR combination.</summary>
public class ConditionOperatorCases : CaseTable
{
    private const string StrEq = "Condition operators: StringEquals is exact, case-sensitive matching without wildcards";
    private const string StrNe = "Condition operators: StringNotEquals is true when the value matches none of the listed values";
    private const string StrIc = "Condition operators: StringEqualsIgnoreCase and StringNotEqualsIgnoreCase ignore case";
    private const string StrLike = "Condition operators: StringLike is case-sensitive and takes * (any run) and ? (one character)";
    private const string StrNotLike = "Condition operators: StringNotLike is the negated, case-sensitive StringLike";
    private const string Missing = "Condition operators: a key missing from the request context makes a positive operator false";
    private const string MissingNegated = "Condition operators: a key missing from the request context makes a negated operator (StringNot*, ArnNot*, NotIpAddress, …NotEquals) true";
    private const string IfExists = "Condition operators: …IfExists is true when the key is missing, and otherwise evaluates the base operator";
    private const string Numeric = "Condition operators: numeric operators compare numbers, not strings";
    private const string Date = "Condition operators: date operators compare ISO 8601 dates or epoch seconds as points in time";
    private const string BoolRule = "Condition operators: Bool matches the true/false value of the key";
    private const string MfaRule = "Condition operators: BoolIfExists aws:MultiFactorAuthPresent false denies requests without MFA, including those where the key is absent";
    private const string Binary = "Condition operators: BinaryEquals compares the binary value byte for byte against its base-64 form";
    private const string Ip = "Condition operators: IpAddress matches an IPv4 or IPv6 CIDR block; a bare address is a single host";
    private const string NotIp = "Condition operators: NotIpAddress is true when the address is in none of the blocks";
    private const string Arn = "Condition operators: ArnEquals/ArnLike check each of the six colon-delimited ARN parts case-sensitively, each may use * and ?";
    private const string ArnNot = "Condition operators: ArnNotEquals/ArnNotLike are the negated ARN operators";
    private const string NullRule = "Condition operators: Null true means the key is absent from the request, Null false that it is present";
    private const string AnyValue = "Multivalued context keys: ForAnyValue is true when at least one request value matches a policy value";
    private const string AnyValueMissing = "Multivalued context keys: ForAnyValue is false when the key is missing";
    private const string AllValues = "Multivalued context keys: ForAllValues is true when every request value matches a policy value";
    private const string AllValuesVacuous = "Multivalued context keys: ForAllValues is also true when the key is missing or has no values";
    private const string AllValuesNull = "Multivalued context keys: pair ForAllValues with Null false to reject requests without the key";
    private const string AnyNegated = "Multivalued context keys: ForAnyValue with a negated operator is true when at least one request value matches none of the policy values";
    private const string AllNegated = "Multivalued context keys: ForAllValues with a negated operator is true when no request value matches any policy value";
    private const string OrValues = "Condition element: several values for one key are combined with a logical OR";
    private const string AndKeys = "Condition element: several keys, or several operators, in one Condition are combined with a logical AND";
    private const string KeyNames = "Condition element: condition key names are not case-sensitive";

    private const string Bin = "QmluYXJ5VmFsdWVJbkJhc2U2NA==";

    public static TheoryData<Case> Cases => new()
    {
        // String
        new("StringEquals matches", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":"hr"}}"""), Allow, StrEq) { Context = ["kms:EncryptionContext:dept=hr"] },
        new("StringEquals is case-sensitive", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":"hr"}}"""), NotApplicable, StrEq) { Context = ["kms:EncryptionContext:dept=HR"] },
        new("StringEquals takes no wildcard", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":"h*"}}"""), NotApplicable, StrEq) { Context = ["kms:EncryptionContext:dept=hr"] },
        new("StringEquals second value matches", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":["finance","hr"]}}"""), Allow, OrValues) { Context = ["kms:EncryptionContext:dept=hr"] },
        new("StringEquals no value matches", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":["finance","legal"]}}"""), NotApplicable, OrValues) { Context = ["kms:EncryptionContext:dept=hr"] },
        new("StringEquals on a missing key", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":"hr"}}"""), NotApplicable, Missing),
        new("StringNotEquals with a different value", AllowIf("""{"StringNotEquals":{"aws:PrincipalTag/dept":"hr"}}"""), Allow, StrNe) { Context = ["aws:PrincipalTag/dept=it"] },
        new("StringNotEquals with the same value", AllowIf("""{"StringNotEquals":{"aws:PrincipalTag/dept":"hr"}}"""), NotApplicable, StrNe) { Context = ["aws:PrincipalTag/dept=hr"] },
        new("StringNotEquals value in the list fails", AllowIf("""{"StringNotEquals":{"aws:PrincipalTag/dept":["hr","finance"]}}"""), NotApplicable, StrNe) { Context = ["aws:PrincipalTag/dept=finance"] },
        new("StringNotEquals value outside the list", AllowIf("""{"StringNotEquals":{"aws:PrincipalTag/dept":["hr","finance"]}}"""), Allow, StrNe) { Context = ["aws:PrincipalTag/dept=it"] },
        new("StringNotEquals on a missing key", AllowIf("""{"StringNotEquals":{"aws:PrincipalTag/dept":"hr"}}"""), Allow, MissingNegated),
        new("StringEqualsIgnoreCase ignores case", AllowIf("""{"StringEqualsIgnoreCase":{"aws:PrincipalTag/dept":"HR"}}"""), Allow, StrIc) { Context = ["aws:PrincipalTag/dept=hr"] },
        new("StringEqualsIgnoreCase different value", AllowIf("""{"StringEqualsIgnoreCase":{"aws:PrincipalTag/dept":"HR"}}"""), NotApplicable, StrIc) { Context = ["aws:PrincipalTag/dept=it"] },
        new("StringEqualsIgnoreCase on a missing key", AllowIf("""{"StringEqualsIgnoreCase":{"aws:PrincipalTag/dept":"HR"}}"""), NotApplicable, Missing),
        new("StringNotEqualsIgnoreCase same value other case", AllowIf("""{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/dept":"HR"}}"""), NotApplicable, StrIc) { Context = ["aws:PrincipalTag/dept=hr"] },
        new("StringNotEqualsIgnoreCase different value", AllowIf("""{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/dept":"HR"}}"""), Allow, StrIc) { Context = ["aws:PrincipalTag/dept=it"] },
        new("StringLike with *", AllowIf("""{"StringLike":{"kms:EncryptionContext:project":"finance-*"}}"""), Allow, StrLike) { Context = ["kms:EncryptionContext:project=finance-reports"] },
        new("StringLike with ? matches one character", AllowIf("""{"StringLike":{"kms:EncryptionContext:project":"team-?"}}"""), Allow, StrLike) { Context = ["kms:EncryptionContext:project=team-a"] },
        new("StringLike with ? does not match two", AllowIf("""{"StringLike":{"kms:EncryptionContext:project":"team-?"}}"""), NotApplicable, StrLike) { Context = ["kms:EncryptionContext:project=team-ab"] },
        new("StringLike is case-sensitive", AllowIf("""{"StringLike":{"kms:EncryptionContext:project":"finance-*"}}"""), NotApplicable, StrLike) { Context = ["kms:EncryptionContext:project=Finance-reports"] },
        new("StringLike without match", AllowIf("""{"StringLike":{"kms:EncryptionContext:project":"finance-*"}}"""), NotApplicable, StrLike) { Context = ["kms:EncryptionContext:project=hr-reports"] },
        new("StringLike on a missing key", AllowIf("""{"StringLike":{"kms:EncryptionContext:project":"*"}}"""), NotApplicable, Missing),
        new("StringNotLike with a matching value", AllowIf("""{"StringNotLike":{"kms:EncryptionContext:project":"finance-*"}}"""), NotApplicable, StrNotLike) { Context = ["kms:EncryptionContext:project=finance-reports"] },
        new("StringNotLike with another value", AllowIf("""{"StringNotLike":{"kms:EncryptionContext:project":"finance-*"}}"""), Allow, StrNotLike) { Context = ["kms:EncryptionContext:project=hr-reports"] },
        new("StringNotLike on a missing key", AllowIf("""{"StringNotLike":{"kms:EncryptionContext:project":"finance-*"}}"""), Allow, MissingNegated),
        new("StringEqualsIfExists on a missing key", AllowIf("""{"StringEqualsIfExists":{"aws:PrincipalTag/dept":"hr"}}"""), Allow, IfExists),
        new("StringEqualsIfExists present and different", AllowIf("""{"StringEqualsIfExists":{"aws:PrincipalTag/dept":"hr"}}"""), NotApplicable, IfExists) { Context = ["aws:PrincipalTag/dept=it"] },
        new("StringEqualsIfExists present and equal", AllowIf("""{"StringEqualsIfExists":{"aws:PrincipalTag/dept":"hr"}}"""), Allow, IfExists) { Context = ["aws:PrincipalTag/dept=hr"] },
        new("StringNotEqualsIfExists on a missing key", AllowIf("""{"StringNotEqualsIfExists":{"aws:PrincipalTag/dept":"hr"}}"""), Allow, IfExists),
        new("StringLikeIfExists present and not matching", AllowIf("""{"StringLikeIfExists":{"aws:PrincipalTag/dept":"fin*"}}"""), NotApplicable, IfExists) { Context = ["aws:PrincipalTag/dept=hr"] },
        new("condition key name matched case-insensitively", AllowIf("""{"StringEquals":{"AWS:PRINCIPALTYPE":"User"}}"""), Allow, KeyNames) { Context = ["aws:PrincipalType=User"] },

        // Numeric
        new("NumericEquals equal", AllowIf("""{"NumericEquals":{"kms:RotationPeriodInDays":"365"}}"""), Allow, Numeric) { Context = ["kms:RotationPeriodInDays=365"] },
        new("NumericEquals different", AllowIf("""{"NumericEquals":{"kms:RotationPeriodInDays":"365"}}"""), NotApplicable, Numeric) { Context = ["kms:RotationPeriodInDays=366"] },
        new("NumericEquals compares numbers not text", AllowIf("""{"NumericEquals":{"kms:RotationPeriodInDays":"365"}}"""), Allow, Numeric) { Context = ["kms:RotationPeriodInDays=365.0"] },
        new("NumericEquals second value matches", AllowIf("""{"NumericEquals":{"kms:RotationPeriodInDays":["90","365"]}}"""), Allow, OrValues) { Context = ["kms:RotationPeriodInDays=365"] },
        new("NumericNotEquals different", AllowIf("""{"NumericNotEquals":{"kms:RotationPeriodInDays":"90"}}"""), Allow, Numeric) { Context = ["kms:RotationPeriodInDays=365"] },
        new("NumericNotEquals equal", AllowIf("""{"NumericNotEquals":{"kms:RotationPeriodInDays":"90"}}"""), NotApplicable, Numeric) { Context = ["kms:RotationPeriodInDays=90"] },
        new("NumericNotEquals on a missing key", AllowIf("""{"NumericNotEquals":{"kms:RotationPeriodInDays":"90"}}"""), Allow, MissingNegated),
        new("NumericLessThan below", AllowIf("""{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"""), Allow, Numeric) { Context = ["aws:MultiFactorAuthAge=120"] },
        new("NumericLessThan equal is not less", AllowIf("""{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"""), NotApplicable, Numeric) { Context = ["aws:MultiFactorAuthAge=3600"] },
        new("NumericLessThan compares numerically (900 < 3600)", AllowIf("""{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"""), Allow, Numeric) { Context = ["aws:MultiFactorAuthAge=900"] },
        new("NumericLessThanEquals equal", AllowIf("""{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}"""), Allow, Numeric) { Context = ["aws:MultiFactorAuthAge=3600"] },
        new("NumericGreaterThan above", AllowIf("""{"NumericGreaterThan":{"kms:RotationPeriodInDays":"90"}}"""), Allow, Numeric) { Context = ["kms:RotationPeriodInDays=180"] },
        new("NumericGreaterThan equal is not greater", AllowIf("""{"NumericGreaterThan":{"kms:RotationPeriodInDays":"90"}}"""), NotApplicable, Numeric) { Context = ["kms:RotationPeriodInDays=90"] },
        new("NumericGreaterThanEquals equal", AllowIf("""{"NumericGreaterThanEquals":{"kms:RotationPeriodInDays":"90"}}"""), Allow, Numeric) { Context = ["kms:RotationPeriodInDays=90"] },
        new("NumericGreaterThanEquals with negative decimals", AllowIf("""{"NumericGreaterThanEquals":{"kms:RotationPeriodInDays":"-2"}}"""), Allow, Numeric) { Context = ["kms:RotationPeriodInDays=-1.5"] },
        new("NumericLessThan on a missing key", AllowIf("""{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"""), NotApplicable, Missing),
        new("NumericLessThanIfExists on a missing key", AllowIf("""{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}"""), Allow, IfExists),

        // Date
        new("DateLessThan ISO before", AllowIf("""{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}"""), Allow, Date) { Context = ["aws:CurrentTime=2025-06-01T12:00:00Z"] },
        new("DateLessThan ISO after", AllowIf("""{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}"""), NotApplicable, Date) { Context = ["aws:CurrentTime=2026-06-01T12:00:00Z"] },
        new("DateGreaterThan ISO after", AllowIf("""{"DateGreaterThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"}}"""), Allow, Date) { Context = ["aws:CurrentTime=2025-06-01T12:00:00Z"] },
        new("DateGreaterThanEquals same instant", AllowIf("""{"DateGreaterThanEquals":{"aws:CurrentTime":"2025-06-01T12:00:00Z"}}"""), Allow, Date) { Context = ["aws:CurrentTime=2025-06-01T12:00:00Z"] },
        new("DateLessThanEquals same instant", AllowIf("""{"DateLessThanEquals":{"aws:CurrentTime":"2025-06-01T12:00:00Z"}}"""), Allow, Date) { Context = ["aws:CurrentTime=2025-06-01T12:00:00Z"] },
        new("DateEquals same instant in another offset", AllowIf("""{"DateEquals":{"aws:CurrentTime":"2025-06-01T14:00:00+02:00"}}"""), Allow, Date) { Context = ["aws:CurrentTime=2025-06-01T12:00:00Z"] },
        new("DateNotEquals different instant", AllowIf("""{"DateNotEquals":{"aws:CurrentTime":"2025-06-01T00:00:00Z"}}"""), Allow, Date) { Context = ["aws:CurrentTime=2025-06-01T12:00:00Z"] },
        new("DateNotEquals same instant", AllowIf("""{"DateNotEquals":{"aws:CurrentTime":"2025-06-01T12:00:00Z"}}"""), NotApplicable, Date) { Context = ["aws:CurrentTime=2025-06-01T12:00:00Z"] },
        new("DateGreaterThan epoch policy and epoch time", AllowIf("""{"DateGreaterThan":{"aws:EpochTime":"1700000000"}}"""), Allow, Date) { Context = ["aws:EpochTime=1750000000"] },
        new("DateLessThan ISO policy and epoch time", AllowIf("""{"DateLessThan":{"aws:EpochTime":"2024-01-01T00:00:00Z"}}"""), Allow, Date) { Context = ["aws:EpochTime=1700000000"] },
        new("DateGreaterThan epoch policy and ISO time", AllowIf("""{"DateGreaterThan":{"aws:CurrentTime":"1700000000"}}"""), NotApplicable, Date) { Context = ["aws:CurrentTime=2023-01-01T00:00:00Z"] },
        new("DateEquals epoch equals ISO of the same instant", AllowIf("""{"DateEquals":{"aws:CurrentTime":"1704067200"}}"""), Allow, Date) { Context = ["aws:CurrentTime=2024-01-01T00:00:00Z"] },
        new("DateGreaterThan date-only ISO value", AllowIf("""{"DateGreaterThan":{"aws:CurrentTime":"2025-01-01"}}"""), Allow, Date) { Context = ["aws:CurrentTime=2025-06-01T12:00:00Z"] },
        new("DateLessThan on a missing key", AllowIf("""{"DateLessThan":{"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}}"""), NotApplicable, Missing),
        new("DateLessThanIfExists on a missing key", AllowIf("""{"DateLessThanIfExists":{"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}}"""), Allow, IfExists),
        new("DateNotEquals on a missing key", AllowIf("""{"DateNotEquals":{"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}}"""), Allow, MissingNegated),

        // Bool
        new("Bool true matches true", AllowIf("""{"Bool":{"aws:SecureTransport":"true"}}"""), Allow, BoolRule) { Context = ["aws:SecureTransport=true"] },
        new("Bool true does not match false", AllowIf("""{"Bool":{"aws:SecureTransport":"true"}}"""), NotApplicable, BoolRule) { Context = ["aws:SecureTransport=false"] },
        new("Bool on a missing key", AllowIf("""{"Bool":{"aws:SecureTransport":"true"}}"""), NotApplicable, Missing),
        new("deny plain HTTP with aws:SecureTransport false", DenyIf("""{"Bool":{"aws:SecureTransport":"false"}}"""), Deny, BoolRule) { Context = ["aws:SecureTransport=false"] },
        new("HTTPS passes the aws:SecureTransport deny", DenyIf("""{"Bool":{"aws:SecureTransport":"false"}}"""), Allow, BoolRule) { Context = ["aws:SecureTransport=true"] },
        new("BoolIfExists MFA false denies when MFA key is absent", DenyIf("""{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"""), Deny, MfaRule),
        new("BoolIfExists MFA false spares MFA requests", DenyIf("""{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"""), Allow, MfaRule) { Context = ["aws:MultiFactorAuthPresent=true"] },
        new("Bool MFA false does not deny when the key is absent", DenyIf("""{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"""), Allow, Missing),
        new("Bool MFA true allow needs the key", AllowIf("""{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"""), NotApplicable, Missing),

        // Binary
        new("BinaryEquals same value", AllowIf($$$"""{"BinaryEquals":{"kms:EncryptionContext:blob":"{{{Bin}}}"}}"""), Allow, Binary) { Context = [$"kms:EncryptionContext:blob={Bin}"] },
        new("BinaryEquals different value", AllowIf($$$"""{"BinaryEquals":{"kms:EncryptionContext:blob":"{{{Bin}}}"}}"""), NotApplicable, Binary) { Context = ["kms:EncryptionContext:blob=b3RoZXI="] },
        new("BinaryEquals on a missing key", AllowIf($$$"""{"BinaryEquals":{"kms:EncryptionContext:blob":"{{{Bin}}}"}}"""), NotApplicable, Missing),
        new("BinaryEqualsIfExists on a missing key", AllowIf($$$"""{"BinaryEqualsIfExists":{"kms:EncryptionContext:blob":"{{{Bin}}}"}}"""), Allow, IfExists),

        // IP address
        new("IpAddress inside a /24", AllowIf("""{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"""), Allow, Ip) { Context = ["aws:SourceIp=203.0.113.7"] },
        new("IpAddress outside a /24", AllowIf("""{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"""), NotApplicable, Ip) { Context = ["aws:SourceIp=203.0.114.7"] },
        new("IpAddress last address of a /16", AllowIf("""{"IpAddress":{"aws:SourceIp":"10.1.0.0/16"}}"""), Allow, Ip) { Context = ["aws:SourceIp=10.1.255.255"] },
        new("IpAddress first address after a /16", AllowIf("""{"IpAddress":{"aws:SourceIp":"10.1.0.0/16"}}"""), NotApplicable, Ip) { Context = ["aws:SourceIp=10.2.0.0"] },
        new("IpAddress bare address is a single host", AllowIf("""{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}"""), Allow, Ip) { Context = ["aws:SourceIp=203.0.113.7"] },
        new("IpAddress bare address excludes its neighbour", AllowIf("""{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}"""), NotApplicable, Ip) { Context = ["aws:SourceIp=203.0.113.8"] },
        new("IpAddress second block matches", AllowIf("""{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}"""), Allow, OrValues) { Context = ["aws:SourceIp=203.0.113.7"] },
        new("IpAddress 0.0.0.0/0 matches any IPv4", AllowIf("""{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"""), Allow, Ip) { Context = ["aws:SourceIp=198.51.100.1"] },
        new("IpAddress IPv6 inside a /32", AllowIf("""{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"""), Allow, Ip) { Context = ["aws:SourceIp=2001:db8:1234::1"] },
        new("IpAddress IPv6 outside a /32", AllowIf("""{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"""), NotApplicable, Ip) { Context = ["aws:SourceIp=2001:db9::1"] },
        new("IpAddress IPv4 source against an IPv6 block", AllowIf("""{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"""), NotApplicable, Ip) { Context = ["aws:SourceIp=203.0.113.7"] },
        new("IpAddress IPv4 and IPv6 blocks together", AllowIf("""{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}"""), Allow, OrValues) { Context = ["aws:SourceIp=2001:db8::5"] },
        new("IpAddress on a missing key", AllowIf("""{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"""), NotApplicable, Missing),
        new("NotIpAddress outside the block", AllowIf("""{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"""), Allow, NotIp) { Context = ["aws:SourceIp=198.51.100.1"] },
        new("NotIpAddress inside the block", AllowIf("""{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"""), NotApplicable, NotIp) { Context = ["aws:SourceIp=203.0.113.9"] },
        new("NotIpAddress IPv6 inside the block", AllowIf("""{"NotIpAddress":{"aws:SourceIp":"2001:db8::/32"}}"""), NotApplicable, NotIp) { Context = ["aws:SourceIp=2001:db8::5"] },
        new("NotIpAddress on a missing key", AllowIf("""{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"""), Allow, MissingNegated),
        new("deny requests from outside the corporate range", DenyIf("""{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}"""), Deny, NotIp) { Context = ["aws:SourceIp=198.51.100.1"] },
        new("corporate range passes the source-IP deny", DenyIf("""{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}"""), Allow, NotIp) { Context = ["aws:SourceIp=192.0.2.44"] },
        new("IpAddressIfExists on a missing key", AllowIf("""{"IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}}"""), Allow, IfExists),

        // ARN
        new("ArnEquals exact ARN", AllowIf("""{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/KeyAdmin"}}"""), Allow, Arn) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:role/KeyAdmin"] },
        new("ArnEquals another ARN", AllowIf("""{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/KeyAdmin"}}"""), NotApplicable, Arn) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:role/Auditor"] },
        new("ArnEquals accepts wildcards like ArnLike", AllowIf("""{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Key*"}}"""), Allow, Arn) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:role/KeyAdmin"] },
        new("ArnLike role/* matches a role", AllowIf("""{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}"""), Allow, Arn) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:role/KeyAdmin"] },
        new("ArnLike role/* does not match a user", AllowIf("""{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}"""), NotApplicable, Arn) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:user/alice"] },
        new("ArnLike wildcard account segment", AllowIf("""{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/KeyAdmin"}}"""), Allow, Arn) { Context = ["aws:PrincipalArn=arn:aws:iam::444455556666:role/KeyAdmin"] },
        new("ArnLike is case-sensitive", AllowIf("""{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/keyadmin"}}"""), NotApplicable, Arn) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:role/KeyAdmin"] },
        new("ArnLike with ? in the resource part", AllowIf("""{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket-?"}}"""), Allow, Arn) { Context = ["aws:SourceArn=arn:aws:s3:::bucket-a"] },
        new("ArnLike on a missing key", AllowIf("""{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"""), NotApplicable, Missing),
        new("ArnLikeIfExists on a missing key", AllowIf("""{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::*"}}"""), Allow, IfExists),
        new("ArnNotEquals another ARN", AllowIf("""{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/KeyAdmin"}}"""), Allow, ArnNot) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:user/alice"] },
        new("ArnNotEquals same ARN", AllowIf("""{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/KeyAdmin"}}"""), NotApplicable, ArnNot) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:role/KeyAdmin"] },
        new("ArnNotLike role/* with a user", AllowIf("""{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}"""), Allow, ArnNot) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:user/alice"] },
        new("ArnNotLike role/* with a role", AllowIf("""{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}"""), NotApplicable, ArnNot) { Context = ["aws:PrincipalArn=arn:aws:iam::111122223333:role/KeyAdmin"] },
        new("ArnNotLike on a missing key", AllowIf("""{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"""), Allow, MissingNegated),

        // Null
        new("Null true with the key absent", AllowIf("""{"Null":{"kms:ViaService":"true"}}"""), Allow, NullRule),
        new("Null true with the key present", AllowIf("""{"Null":{"kms:ViaService":"true"}}"""), NotApplicable, NullRule) { Context = ["kms:ViaService=ec2.us-east-1.amazonaws.com"] },
        new("Null false with the key present", AllowIf("""{"Null":{"aws:RequestTag/project":"false"}}"""), Allow, NullRule) { Context = ["aws:RequestTag/project=apollo"] },
        new("Null false with the key absent", AllowIf("""{"Null":{"aws:RequestTag/project":"false"}}"""), NotApplicable, NullRule),
        new("deny untagged requests with Null true", DenyIf("""{"Null":{"aws:RequestTag/project":"true"}}"""), Deny, NullRule) { Action = "kms:CreateKey" },

        // Set qualifiers
        new("ForAnyValue one tag key matches", AllowIf("""{"ForAnyValue:StringEquals":{"aws:TagKeys":["project","owner"]}}"""), Allow, AnyValue) { Action = "kms:TagResource", Context = ["aws:TagKeys=project|cost"] },
        new("ForAnyValue no tag key matches", AllowIf("""{"ForAnyValue:StringEquals":{"aws:TagKeys":["project","owner"]}}"""), NotApplicable, AnyValue) { Action = "kms:TagResource", Context = ["aws:TagKeys=cost|env"] },
        new("ForAnyValue on a missing key", AllowIf("""{"ForAnyValue:StringEquals":{"aws:TagKeys":["project","owner"]}}"""), NotApplicable, AnyValueMissing) { Action = "kms:TagResource" },
        new("ForAllValues every tag key allowed", AllowIf("""{"ForAllValues:StringEquals":{"aws:TagKeys":["project","owner"]}}"""), Allow, AllValues) { Action = "kms:TagResource", Context = ["aws:TagKeys=owner|project"] },
        new("ForAllValues one tag key outside the set", AllowIf("""{"ForAllValues:StringEquals":{"aws:TagKeys":["project","owner"]}}"""), NotApplicable, AllValues) { Action = "kms:TagResource", Context = ["aws:TagKeys=project|cost"] },
        new("ForAllValues on a missing key is vacuously true", AllowIf("""{"ForAllValues:StringEquals":{"aws:TagKeys":["project","owner"]}}"""), Allow, AllValuesVacuous) { Action = "kms:TagResource" },
        new("ForAllValues on an empty key is vacuously true", AllowIf("""{"ForAllValues:StringEquals":{"aws:TagKeys":["project","owner"]}}"""), Allow, AllValuesVacuous) { Action = "kms:TagResource", Context = ["aws:TagKeys=[]"] },
        new("ForAllValues with Null false rejects a missing key", AllowIf("""{"ForAllValues:StringEquals":{"aws:TagKeys":["project","owner"]},"Null":{"aws:TagKeys":"false"}}"""), NotApplicable, AllValuesNull) { Action = "kms:TagResource" },
        new("ForAllValues with Null false accepts allowed keys", AllowIf("""{"ForAllValues:StringEquals":{"aws:TagKeys":["project","owner"]},"Null":{"aws:TagKeys":"false"}}"""), Allow, AllValuesNull) { Action = "kms:TagResource", Context = ["aws:TagKeys=project"] },
        new("ForAnyValue:StringLike matches a pattern", AllowIf("""{"ForAnyValue:StringLike":{"aws:TagKeys":"cost-*"}}"""), Allow, AnyValue) { Action = "kms:TagResource", Context = ["aws:TagKeys=env|cost-center"] },
        new("ForAllValues:StringLike every key matches", AllowIf("""{"ForAllValues:StringLike":{"aws:TagKeys":["cost-*","env"]}}"""), Allow, AllValues) { Action = "kms:TagResource", Context = ["aws:TagKeys=env|cost-center|cost-owner"] },
        new("ForAllValues:StringEqualsIgnoreCase", AllowIf("""{"ForAllValues:StringEqualsIgnoreCase":{"aws:TagKeys":["Project","Owner"]}}"""), Allow, AllValues) { Action = "kms:TagResource", Context = ["aws:TagKeys=project|OWNER"] },
        new("ForAnyValue:StringNotEquals one key outside", AllowIf("""{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["project","owner"]}}"""), Allow, AnyNegated) { Action = "kms:TagResource", Context = ["aws:TagKeys=project|cost"] },
        new("ForAnyValue:StringNotEquals all keys inside", AllowIf("""{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["project","owner"]}}"""), NotApplicable, AnyNegated) { Action = "kms:TagResource", Context = ["aws:TagKeys=project|owner"] },
        new("ForAllValues:StringNotEquals no key inside", AllowIf("""{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret","internal"]}}"""), Allow, AllNegated) { Action = "kms:TagResource", Context = ["aws:TagKeys=project|owner"] },
        new("ForAllValues:StringNotEquals one key inside", AllowIf("""{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret","internal"]}}"""), NotApplicable, AllNegated) { Action = "kms:TagResource", Context = ["aws:TagKeys=project|secret"] },
        new("deny when any tag key is reserved", DenyIf("""{"ForAnyValue:StringEquals":{"aws:TagKeys":["aws-reserved","secret"]}}"""), Deny, AnyValue) { Action = "kms:TagResource", Context = ["aws:TagKeys=project|secret"] },

        // AND / OR
        new("two keys under one operator both hold", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":"hr","kms:EncryptionContext:stage":"prod"}}"""), Allow, AndKeys) { Context = ["kms:EncryptionContext:dept=hr", "kms:EncryptionContext:stage=prod"] },
        new("two keys under one operator, one fails", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":"hr","kms:EncryptionContext:stage":"prod"}}"""), NotApplicable, AndKeys) { Context = ["kms:EncryptionContext:dept=hr", "kms:EncryptionContext:stage=dev"] },
        new("two operators both hold", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":"hr"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"""), Allow, AndKeys) { Context = ["kms:EncryptionContext:dept=hr", "aws:SourceIp=203.0.113.5"] },
        new("two operators, one fails", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":"hr"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"""), NotApplicable, AndKeys) { Context = ["kms:EncryptionContext:dept=hr", "aws:SourceIp=198.51.100.5"] },
        new("OR within keys, AND across keys", AllowIf("""{"StringEquals":{"kms:EncryptionContext:dept":["hr","it"],"kms:EncryptionContext:stage":["prod","dev"]}}"""), Allow, AndKeys) { Context = ["kms:EncryptionContext:dept=it", "kms:EncryptionContext:stage=dev"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Condition_operator_decides_as_AWS_documents(Case c) => c.Verify();
}
