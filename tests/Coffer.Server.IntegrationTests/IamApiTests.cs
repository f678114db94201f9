using Coffer.Server.IntegrationTests.Infrastructure;

namespace Coffer.Server.IntegrationTests;

public sealed class IamApiTests(ServerFixture<OnSqlite> fixture) : IamApiTests<OnSqlite>(fixture);

public sealed class IamApiTestsOnPostgres(ServerFixture<OnPostgres> fixture) : IamApiTests<OnPostgres>(fixture);

/// <summary>The IAM Query API: shapes, errors and status codes as IAM answers them.</summary>
public abstract class IamApiTests<TEngine>(ServerFixture<TEngine> fixture) : IClassFixture<ServerFixture<TEngine>>
    where TEngine : IEngine
{
    private RawKmsClient Admin => fixture.Server.Raw();

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task Users_are_created_read_listed_and_deleted()
    {
        var name = Name("u");
        var created = await Iam.CallAsync(Admin, "CreateUser", new() { ["UserName"] = name, ["Path"] = "/team/" });
        Assert.Equal($"arn:aws:iam::{fixture.Server.AccountId}:user/team/{name}", created.Xml("Arn"));
        Assert.StartsWith("AIDA", created.Xml("UserId"), StringComparison.Ordinal);
        Assert.Equal("/team/", created.Xml("Path"));

        var read = await Iam.CallAsync(Admin, "GetUser", new() { ["UserName"] = name });
        Assert.Equal(created.Xml("UserId"), read.Xml("UserId"));
        var listed = await Iam.CallAsync(Admin, "ListUsers", new());
        Assert.Contains(name, listed.Body, StringComparison.Ordinal);

        await Iam.CallAsync(Admin, "DeleteUser", new() { ["UserName"] = name });
        var gone = await Iam.CallAsync(Admin, "GetUser", new() { ["UserName"] = name }, expectedStatus: 404);
        Assert.Equal("NoSuchEntity", gone.Xml("Code"));
        Assert.Equal($"The user with name {name} cannot be found.", gone.Xml("Message"));
    }

    [Fact]
    public async Task A_duplicate_user_is_EntityAlreadyExists_409()
    {
        var name = Name("dup");
        await Iam.CallAsync(Admin, "CreateUser", new() { ["UserName"] = name });

        var again = await Iam.CallAsync(Admin, "CreateUser", new() { ["UserName"] = name }, expectedStatus: 409);

        Assert.Equal("EntityAlreadyExists", again.Xml("Code"));
        Assert.Equal("Sender", again.Xml("Type"));
    }

    [Fact]
    public async Task A_user_with_keys_or_policies_cannot_be_deleted_until_they_are()
    {
        var name = Name("del");
        await Iam.CallAsync(Admin, "CreateUser", new() { ["UserName"] = name });
        var key = await Iam.CallAsync(Admin, "CreateAccessKey", new() { ["UserName"] = name });
        await Iam.CallAsync(Admin, "PutUserPolicy", new() { ["UserName"] = name, ["PolicyName"] = "p", ["PolicyDocument"] = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}}""" });

        var conflict = await Iam.CallAsync(Admin, "DeleteUser", new() { ["UserName"] = name }, expectedStatus: 409);
        Assert.Equal("DeleteConflict", conflict.Xml("Code"));
        await Iam.CallAsync(Admin, "DeleteAccessKey", new() { ["UserName"] = name, ["AccessKeyId"] = key.Xml("AccessKeyId")! });
        Assert.Equal("DeleteConflict", (await Iam.CallAsync(Admin, "DeleteUser", new() { ["UserName"] = name }, expectedStatus: 409)).Xml("Code"));
        await Iam.CallAsync(Admin, "DeleteUserPolicy", new() { ["UserName"] = name, ["PolicyName"] = "p" });
        await Iam.CallAsync(Admin, "DeleteUser", new() { ["UserName"] = name });
    }

    [Fact]
    public async Task Inline_policies_round_trip_url_encoded_and_malformed_ones_are_refused()
    {
        var name = Name("pol");
        const string document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";
        await Iam.CallAsync(Admin, "CreateUser", new() { ["UserName"] = name });
        await Iam.CallAsync(Admin, "PutUserPolicy", new() { ["UserName"] = name, ["PolicyName"] = "enc", ["PolicyDocument"] = document });

        var read = await Iam.CallAsync(Admin, "GetUserPolicy", new() { ["UserName"] = name, ["PolicyName"] = "enc" });
        Assert.Equal(document, Uri.UnescapeDataString(read.Xml("PolicyDocument")!));
        Assert.Contains("<member>enc</member>", (await Iam.CallAsync(Admin, "ListUserPolicies", new() { ["UserName"] = name })).Body, StringComparison.Ordinal);

        var malformed = await Iam.CallAsync(Admin, "PutUserPolicy",
            new() { ["UserName"] = name, ["PolicyName"] = "bad", ["PolicyDocument"] = """{"Statement":[{"Effect":"Maybe","Action":"kms:*","Resource":"*"}]}""" }, expectedStatus: 400);
        Assert.Equal("MalformedPolicyDocument", malformed.Xml("Code"));
        var missing = await Iam.CallAsync(Admin, "GetUserPolicy", new() { ["UserName"] = name, ["PolicyName"] = "absent" }, expectedStatus: 404);
        Assert.Equal("NoSuchEntity", missing.Xml("Code"));
    }

    [Fact]
    public async Task A_user_gets_at_most_two_access_keys()
    {
        var name = Name("keys");
        await Iam.CallAsync(Admin, "CreateUser", new() { ["UserName"] = name });
        await Iam.CallAsync(Admin, "CreateAccessKey", new() { ["UserName"] = name });
        await Iam.CallAsync(Admin, "CreateAccessKey", new() { ["UserName"] = name });

        var third = await Iam.CallAsync(Admin, "CreateAccessKey", new() { ["UserName"] = name }, expectedStatus: 409);

        Assert.Equal("LimitExceeded", third.Xml("Code"));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches((await Iam.CallAsync(Admin, "ListAccessKeys", new() { ["UserName"] = name })).Body, "<AccessKeyId>").Count);
    }

    [Fact]
    public async Task A_user_without_IAM_permissions_is_AccessDenied_403()
    {
        var user = await Iam.CreateUserAsync(fixture.Server, Name("weak"));

        var denied = await Iam.CallAsync(user.Raw, "CreateUser", new() { ["UserName"] = Name("x") }, expectedStatus: 403);

        Assert.Equal("AccessDenied", denied.Xml("Code"));
        Assert.StartsWith($"User: {user.Arn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::", denied.Xml("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Roles_keep_their_trust_policy_and_refuse_a_malformed_one()
    {
        var name = Name("role");
        const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}""";

        var created = await Iam.CallAsync(Admin, "CreateRole", new() { ["RoleName"] = name, ["AssumeRolePolicyDocument"] = trust });
        Assert.StartsWith("AROA", created.Xml("RoleId"), StringComparison.Ordinal);
        Assert.Equal(trust, Uri.UnescapeDataString((await Iam.CallAsync(Admin, "GetRole", new() { ["RoleName"] = name })).Xml("AssumeRolePolicyDocument")!));
        Assert.Contains(name, (await Iam.CallAsync(Admin, "ListRoles", new())).Body, StringComparison.Ordinal);

        var bad = await Iam.CallAsync(Admin, "CreateRole", new() { ["RoleName"] = Name("bad"), ["AssumeRolePolicyDocument"] = """{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}""" }, expectedStatus: 400);
        Assert.Equal("MalformedPolicyDocument", bad.Xml("Code"));
        await Iam.CallAsync(Admin, "DeleteRole", new() { ["RoleName"] = name });
    }

    [Fact]
    public async Task Unauthenticated_and_unknown_Query_calls_get_Query_errors()
    {
        var unsigned = await fixture.Server.Raw().QueryAsync("iam", "ListUsers", null, o => o.Sign = false);
        Assert.Equal(403, unsigned.Status);
        Assert.Equal("MissingAuthenticationToken", unsigned.Xml("Code"));

        var unknownKey = await fixture.Server.Raw().QueryAsync("iam", "ListUsers", null, o => o.AccessKeyId = "AKIANOBODYNOBODY0000");
        Assert.Equal(403, unknownKey.Status);
        Assert.Equal("InvalidClientTokenId", unknownKey.Xml("Code"));

        var unknownAction = await Admin.QueryAsync("iam", "LaunchRocket");
        Assert.Equal(400, unknownAction.Status);
        Assert.Equal("InvalidAction", unknownAction.Xml("Code"));

        var missing = await Admin.QueryAsync("iam", "GetRole");
        Assert.Equal("ValidationError", missing.Xml("Code"));
    }
}
