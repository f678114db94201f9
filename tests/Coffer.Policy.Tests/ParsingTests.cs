namespace Coffer.Policy.Tests;

/// <summary>A policy document that must be rejected, or accepted, with the AWS rule that says so.</summary>
public sealed record ParseCase(string Name, string Json, PolicyDocument.Kind Kind, string Rule)
{
    public override string ToString() => Name;
}

public class ParsingTests
{
    private const PolicyDocument.Kind Identity = PolicyDocument.Kind.Identity;
    private const PolicyDocument.Kind Resource = PolicyDocument.Kind.Resource;

    private const string Grammar = "IAM JSON policy grammar";
    private const string EffectRule = "IAM JSON policy elements: Effect — required, and its value is Allow or Deny (case-sensitive)";
    private const string ActionRule = "IAM JSON policy elements: Action/NotAction — every statement has exactly one of them";
    private const string ActionFormat = "IAM JSON policy grammar: an action_string is a service namespace, a colon, and an action name";
    private const string ResourceRule = "IAM JSON policy elements: Resource/NotResource — exactly one, and identity-based policies require one";
    private const string PrincipalForbidden = "IAM JSON policy elements: Principal — you cannot use Principal or NotPrincipal in an identity-based policy";
    private const string PrincipalRequired = "IAM JSON policy grammar: the principal_block is required in resource-based policies and role trust policies";
    private const string PrincipalOrNot = "IAM JSON policy grammar: a statement's principal_block is either Principal or NotPrincipal";
    private const string DuplicateKeys = "IAM JSON policy grammar notes: individual elements must not contain multiple instances of the same key (e.g. Effect twice in a statement)";
    private const string SidCharacters = "IAM JSON policy grammar notes: for IAM policies, only A-Z, a-z and 0-9 are allowed in the Sid value";
    private const string CidrFormat = "IAM condition operators: IpAddress values must be in standard CIDR format (e.g. 203.0.113.0/24 or 2001:DB8:1234:5678::/64)";
    private const string PrincipalWildcard = "IAM JSON policy grammar: * in a principal means everyone; it cannot be part of a name or ARN";
    private const string PrincipalForm = "IAM JSON policy grammar: a principal is \"*\" or a map of AWS, Service, Federated or CanonicalUser";
    private const string UnknownElement = "IAM JSON policy grammar: a policy and a statement contain only the documented elements";
    private const string OperatorRule = "IAM JSON policy elements: Condition operators — only the documented operators exist, and Null cannot take IfExists";
    private const string ValueRule = "IAM JSON policy elements: Condition operators — numeric, date and IP operators need values of their type";
    private const string VersionRule = "IAM JSON policy elements: Version — 2012-10-17 or 2008-10-17";
    private const string SidRule = "IAM JSON policy elements: Sid — statement IDs must be unique within an IAM policy";
    private const string JsonRule = "IAM JSON policy grammar: a policy is a JSON object (RFC 7159)";
    private const string ScalarValues = "IAM JSON policy grammar: condition_value is a string, number or Boolean, and quotation marks are optional for numbers and Booleans";

    public static TheoryData<ParseCase> Invalid => new()
    {
        new("statement without Effect", """{"Version":"2012-10-17","Statement":{"Action":"kms:Encrypt","Resource":"*"}}""", Identity, EffectRule),
        new("Effect Permit", """{"Version":"2012-10-17","Statement":{"Effect":"Permit","Action":"kms:Encrypt","Resource":"*"}}""", Identity, EffectRule),
        new("Effect allow in lower case", """{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"kms:Encrypt","Resource":"*"}}""", Identity, EffectRule),
        new("Effect not a string", """{"Version":"2012-10-17","Statement":{"Effect":true,"Action":"kms:Encrypt","Resource":"*"}}""", Identity, EffectRule),
        new("statement without Action", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}""", Identity, ActionRule),
        new("Action and NotAction together", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","NotAction":"kms:Decrypt","Resource":"*"}}""", Identity, ActionRule),
        new("empty Action list", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}""", Identity, ActionRule),
        new("Action without a service prefix", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"Encrypt","Resource":"*"}}""", Identity, ActionFormat),
        new("Resource and NotResource together", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","NotResource":"*"}}""", Identity, ResourceRule),
        new("identity statement without Resource", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt"}}""", Identity, ResourceRule),
        new("Principal in an identity policy", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}}""", Identity, PrincipalForbidden),
        new("NotPrincipal in an identity policy", """{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"kms:Encrypt","Resource":"*"}}""", Identity, PrincipalForbidden),
        new("key policy statement without Principal", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Resource, PrincipalRequired),
        new("Principal and NotPrincipal together", """{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"111122223333"},"Action":"kms:Encrypt","Resource":"*"}}""", Resource, PrincipalOrNot),
        new("principal arn:aws:iam::*:root", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"kms:Encrypt","Resource":"*"}}""", Resource, PrincipalWildcard),
        new("principal user/* wildcard", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"kms:Encrypt","Resource":"*"}}""", Resource, PrincipalWildcard),
        new("principal session wildcard", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/KeyAdmin/*"},"Action":"kms:Encrypt","Resource":"*"}}""", Resource, PrincipalWildcard),
        new("principal as a bare account string", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"111122223333","Action":"kms:Encrypt","Resource":"*"}}""", Resource, PrincipalForm),
        new("principal with an 11-digit account", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"11112222333"},"Action":"kms:Encrypt","Resource":"*"}}""", Resource, PrincipalForm),
        new("principal map with an unknown type", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"User":"alice"},"Action":"kms:Encrypt","Resource":"*"}}""", Resource, PrincipalForm),
        new("unknown statement element", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Effct":"Deny"}}""", Identity, UnknownElement),
        new("unknown top-level element", """{"Version":"2012-10-17","Statements":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""", Identity, UnknownElement),
        new("no Statement", """{"Version":"2012-10-17"}""", Identity, Grammar),
        new("empty Statement array", """{"Version":"2012-10-17","Statement":[]}""", Identity, Grammar),
        new("Statement as a string", """{"Version":"2012-10-17","Statement":"Allow everything"}""", Identity, Grammar),
        new("Condition as an array", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":[]}}""", Identity, Grammar),
        new("condition operator mapped to a string", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":"hr"}}}""", Identity, Grammar),
        new("unknown condition operator", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEqualz":{"aws:PrincipalTag/dept":"hr"}}}}""", Identity, OperatorRule),
        new("NullIfExists", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"NullIfExists":{"kms:ViaService":"true"}}}}""", Identity, OperatorRule),
        new("unknown set qualifier", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"a"}}}}""", Identity, OperatorRule),
        new("numeric operator with a word", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"ten"}}}}""", Identity, ValueRule),
        new("date operator with a non-date", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"next tuesday"}}}}""", Identity, ValueRule),
        new("IpAddress with an octet above 255", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.300/24"}}}}""", Identity, ValueRule),
        new("IpAddress with prefix /33", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}}""", Identity, ValueRule),
        new("IPv6 block with prefix /129", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"2001:db8::/129"}}}}""", Identity, ValueRule),
        new("IpAddress with a host name", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"example.com"}}}}""", Identity, ValueRule),
        new("IpAddress with a shortened address 10.1/16", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.1/16"}}}}""", Identity, CidrFormat),
        new("Effect twice in one statement", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Effect":"Deny"}}""", Identity, DuplicateKeys),
        new("Statement twice in one policy", """{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:*","Resource":"*"},"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}""", Identity, DuplicateKeys),
        new("Sid with a space in an identity policy", """{"Version":"2012-10-17","Statement":{"Sid":"Allow encrypt","Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Identity, SidCharacters),
        new("unsupported Version", """{"Version":"2024-01-01","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Identity, VersionRule),
        new("duplicate Sid in an identity policy", """{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"kms:Encrypt","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}""", Identity, SidRule),
        new("invalid JSON: trailing comma", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*",}}""", Identity, JsonRule),
        new("invalid JSON: truncated", """{"Version":"2012-10-17","Statement":{"Effect":"Allow""", Identity, JsonRule),
        new("JSON array instead of an object", """[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]""", Identity, JsonRule),
        new("empty document", "", Resource, JsonRule),
    };

    public static TheoryData<ParseCase> Valid => new()
    {
        new("minimal identity policy", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Identity, Grammar),
        new("statement array with Sid and Id", """{"Version":"2012-10-17","Id":"key-policy-1","Statement":[{"Sid":"1","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}""", Resource, Grammar),
        new("Version 2008-10-17", """{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Identity, VersionRule),
        new("no Version", """{"Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Identity, VersionRule),
        new("every principal form", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":["*","111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:role/KeyAdmin","arn:aws:sts::111122223333:assumed-role/KeyAdmin/s1"],"Service":"ec2.amazonaws.com","Federated":"cognito-identity.amazonaws.com"},"Action":"kms:Encrypt","Resource":"*"}]}""", Resource, PrincipalForm),
        new("NotPrincipal in a key policy", """{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/bob","111122223333"]},"Action":"kms:*","Resource":"*"}}""", Resource, PrincipalRequired),
        new("trust policy without Resource", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}""", Resource, PrincipalRequired),
        new("every condition operator", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"a:a":"x"},"StringNotEquals":{"a:b":"x"},"StringEqualsIgnoreCase":{"a:c":"x"},"StringNotEqualsIgnoreCase":{"a:d":"x"},"StringLike":{"a:e":"x*"},"StringNotLike":{"a:f":"x?"},"NumericEquals":{"a:g":"1"},"NumericNotEquals":{"a:h":"1.5"},"NumericLessThan":{"a:i":"-1"},"NumericLessThanEquals":{"a:j":"1"},"NumericGreaterThan":{"a:k":"1"},"NumericGreaterThanEquals":{"a:l":"1"},"DateEquals":{"a:m":"2025-01-01T00:00:00Z"},"DateNotEquals":{"a:n":"1700000000"},"DateLessThan":{"a:o":"2025-01-01"},"DateLessThanEquals":{"a:p":"2025-01-01T00:00:00Z"},"DateGreaterThan":{"a:q":"2025-01-01T00:00:00Z"},"DateGreaterThanEquals":{"a:r":"2025-01-01T00:00:00Z"},"Bool":{"a:s":"true"},"BinaryEquals":{"a:t":"QmluYXJ5"},"IpAddress":{"a:u":["10.0.0.0/8","2001:db8::/32"]},"NotIpAddress":{"a:v":"192.0.2.1"},"ArnEquals":{"a:w":"arn:aws:iam::111122223333:role/x"},"ArnLike":{"a:x":"arn:aws:iam::*:role/*"},"ArnNotEquals":{"a:y":"arn:aws:s3:::b"},"ArnNotLike":{"a:z":"arn:aws:s3:::b/*"},"Null":{"a:aa":"true"}}}}""", Identity, OperatorRule),
        new("IfExists and set qualifiers", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"a:a":"x"},"NumericLessThanIfExists":{"a:b":"1"},"DateLessThanIfExists":{"a:c":"2025-01-01T00:00:00Z"},"BoolIfExists":{"a:d":"false"},"IpAddressIfExists":{"a:e":"10.0.0.0/8"},"ArnLikeIfExists":{"a:f":"arn:aws:s3:::*"},"ForAnyValue:StringEquals":{"a:g":["x","y"]},"ForAllValues:StringLike":{"a:h":"x*"},"ForAllValues:StringNotEqualsIfExists":{"a:i":"x"}}}}""", Identity, OperatorRule),
        new("condition values as an array of strings", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"NumericEquals":{"kms:RotationPeriodInDays":["90","365"]}}}}""", Identity, ScalarValues),
        new("condition values as an array of JSON numbers", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"NumericEquals":{"kms:RotationPeriodInDays":[90,365]}}}}""", Identity, ScalarValues),
        new("Bool condition with an unquoted JSON boolean", """{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}}""", Identity, ScalarValues),
        new("Numeric condition with an unquoted JSON number", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}}""", Identity, ScalarValues),
        new("policy variables in Resource and Condition", """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:*:111122223333:alias/${aws:username}-*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}}""", Identity, Grammar),
        new("NotAction and NotResource", """{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":["kms:Encrypt","kms:Decrypt"],"NotResource":"arn:aws:kms:us-east-1:111122223333:key/*"}}""", Identity, Grammar),
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_policy_is_rejected(ParseCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        Assert.Throws<PolicyParseException>(() => PolicyDocument.Parse(c.Json, c.Kind));
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_policy_is_accepted(ParseCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var policy = PolicyDocument.Parse(c.Json, c.Kind);
        Assert.NotEmpty(policy.Statements);
    }

    [Fact]
    public void Statement_object_and_array_parse_alike()
    {
        var single = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}""", Identity);
        var array = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""", Identity);

        Assert.Single(single.Statements);
        Assert.Single(array.Statements);
        Assert.Equal(single.Statements[0].Actions, array.Statements[0].Actions);
    }

    [Fact]
    public void Parsed_operator_exposes_qualifier_and_IfExists()
    {
        var policy = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":["a*","b"]}}}}""", Identity);
        var condition = Assert.Single(policy.Statements[0].Conditions);

        Assert.Equal(ConditionOperator.StringLike, condition.BaseOperator);
        Assert.Equal(SetQualifier.ForAllValues, condition.Qualifier);
        Assert.True(condition.IfExists);
        Assert.Equal(["a*", "b"], condition.Values);
    }
}
