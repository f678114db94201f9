using System.Text;
using System.Xml;
using Coffer.Core;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Coffer.Service.Iam;
using Coffer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Coffer.Protocol.Query;

/// <summary>
/// The AWS Query protocol for the IAM and STS subsets: form-encoded <c>Action</c> and parameters
/// in, <c>&lt;ActionResponse&gt;&lt;ActionResult&gt;…</c> XML out, errors in IAM's XML shape.
/// One dispatch table maps (service, Action) to the service call and its result writer.
/// </summary>
public sealed class QueryHandler : IWireProtocol
{
    private const string IamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";
    private const string StsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private delegate Task<Action<QueryWriter>?> Handler(RequestContext context, QueryRequest request, CancellationToken cancellationToken);

    private readonly Dictionary<(string Service, string Action), Handler> _actions = new();

    public QueryHandler(IamService iam, StsService sts)
    {
        Iam("CreateUser", async (c, r, t) => { var user = await iam.CreateUserAsync(c, r.Required("UserName"), r.Optional("Path"), r.Tags(), t); return w => WriteUser(w, user); });
        Iam("GetUser", async (c, r, t) => { var user = await iam.GetUserAsync(c, r.Optional("UserName"), t); return w => WriteUser(w, user); });
        Iam("ListUsers", async (c, r, t) =>
        {
            var page = await iam.ListUsersAsync(c, r.Optional("Marker"), r.OptionalInt("MaxItems"), t);
            return w => WritePage(w.List("Users", page.Items, (m, u) => WriteUserFields(m, u)), page.IsTruncated, page.Marker);
        });
        Iam("DeleteUser", async (c, r, t) => { await iam.DeleteUserAsync(c, r.Required("UserName"), t); return null; });
        Iam("TagUser", async (c, r, t) => { await iam.TagUserAsync(c, r.Required("UserName"), r.Tags(), t); return null; });
        Iam("CreateAccessKey", async (c, r, t) =>
        {
            var key = await iam.CreateAccessKeyAsync(c, r.Optional("UserName"), t);
            return w => w.Start("AccessKey").Element("UserName", key.UserName).Element("AccessKeyId", key.AccessKeyId).Element("Status", key.Status)
                .Element("SecretAccessKey", key.SecretAccessKey).Element("CreateDate", key.CreateDate).End();
        });
        Iam("ListAccessKeys", async (c, r, t) =>
        {
            var keys = await iam.ListAccessKeysAsync(c, r.Optional("UserName"), t);
            return w => WritePage(w.List("AccessKeyMetadata", keys, (m, k) => m.Element("UserName", k.UserName).Element("AccessKeyId", k.AccessKeyId)
                .Element("Status", k.Status).Element("CreateDate", k.CreateDate)), false, null);
        });
        Iam("UpdateAccessKey", async (c, r, t) => { await iam.UpdateAccessKeyAsync(c, r.Optional("UserName"), r.Required("AccessKeyId"), r.Required("Status"), t); return null; });
        Iam("DeleteAccessKey", async (c, r, t) => { await iam.DeleteAccessKeyAsync(c, r.Optional("UserName"), r.Required("AccessKeyId"), t); return null; });
        AddPolicyActions(iam, "User", PrincipalKind.User);
        AddPolicyActions(iam, "Role", PrincipalKind.Role);
        Iam("CreateRole", async (c, r, t) =>
        {
            var role = await iam.CreateRoleAsync(c, r.Required("RoleName"), r.Optional("Path"), r.Required("AssumeRolePolicyDocument"), r.OptionalInt("MaxSessionDuration"), t);
            return w => WriteRole(w, role);
        });
        Iam("GetRole", async (c, r, t) => { var role = await iam.GetRoleAsync(c, r.Required("RoleName"), t); return w => WriteRole(w, role); });
        Iam("ListRoles", async (c, r, t) =>
        {
            var page = await iam.ListRolesAsync(c, r.Optional("Marker"), r.OptionalInt("MaxItems"), t);
            return w => WritePage(w.List("Roles", page.Items, (m, role) => WriteRoleFields(m, role)), page.IsTruncated, page.Marker);
        });
        Iam("DeleteRole", async (c, r, t) => { await iam.DeleteRoleAsync(c, r.Required("RoleName"), t); return null; });

        Sts("GetCallerIdentity", (c, _, _) =>
        {
            var identity = StsService.GetCallerIdentity(c);
            return Task.FromResult<Action<QueryWriter>?>(w => w.Element("UserId", identity.UserId).Element("Account", identity.Account).Element("Arn", identity.Arn));
        });
        Sts("AssumeRole", async (c, r, t) =>
        {
            var session = await sts.AssumeRoleAsync(c, r.Required("RoleArn"), r.Required("RoleSessionName"), r.OptionalInt("DurationSeconds"), t);
            return w => w.Start("Credentials").Element("AccessKeyId", session.AccessKeyId).Element("SecretAccessKey", session.SecretAccessKey)
                .Element("SessionToken", session.SessionToken).Element("Expiration", session.Expiration).End()
                .Start("AssumedRoleUser").Element("AssumedRoleId", session.AssumedRoleId).Element("Arn", session.Arn).End();
        });

        void Iam(string action, Handler handler) => _actions.Add(("iam", action), handler);
        void Sts(string action, Handler handler) => _actions.Add(("sts", action), handler);

        void AddPolicyActions(IamService service, string noun, PrincipalKind kind)
        {
            var nameParameter = $"{noun}Name";
            Iam($"Put{noun}Policy", async (c, r, t) =>
            {
                await service.PutPrincipalPolicyAsync(c, kind, r.Required(nameParameter), r.Required("PolicyName"), r.Required("PolicyDocument"), t);
                return null;
            });
            Iam($"Get{noun}Policy", async (c, r, t) =>
            {
                var name = r.Required(nameParameter);
                var policyName = r.Required("PolicyName");
                var document = await service.GetPrincipalPolicyAsync(c, kind, name, policyName, t);
                return w => w.Element(nameParameter, name).Element("PolicyName", policyName).Element("PolicyDocument", Uri.EscapeDataString(document));
            });
            Iam($"List{noun}Policies", async (c, r, t) =>
            {
                var names = await service.ListPrincipalPoliciesAsync(c, kind, r.Required(nameParameter), t);
                return w => WritePage(w.StringList("PolicyNames", names), false, null);
            });
            Iam($"Delete{noun}Policy", async (c, r, t) =>
            {
                await service.DeletePrincipalPolicyAsync(c, kind, r.Required(nameParameter), r.Required("PolicyName"), t);
                return null;
            });
        }
    }

    /// <summary>The form parameters of a Query request (also used to name unauthenticated requests in the audit trail).</summary>
    public static Dictionary<string, string> Parameters(ReadOnlyMemory<byte> body) =>
        QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body.Span)).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    public async Task<WireResponse> HandleAsync(HttpContext http, RequestContext context, string service, ReadOnlyMemory<byte> body, AuditCapture audit)
    {
        var parameters = Parameters(body);
        var request = new QueryRequest(parameters);
        var action = request.Optional("Action") ?? "";
        audit.EventName = action;
        audit.ReadOnly = action.StartsWith("Get", StringComparison.Ordinal) || action.StartsWith("List", StringComparison.Ordinal);
        audit.RequestParameters = AuditRedaction.QueryParameters(parameters);
        if (!_actions.TryGetValue((service, action), out var handler))
        {
            return Error("InvalidAction", $"Could not find operation {action} for version {request.Optional("Version")}", context.RequestId, service);
        }

        var result = await handler(context, request, http.RequestAborted);
        using var writer = new QueryWriter();
        writer.StartRoot($"{action}Response", service == "sts" ? StsNamespace : IamNamespace);
        if (result is not null)
        {
            writer.Start($"{action}Result");
            result(writer);
            writer.End();
        }

        writer.Start("ResponseMetadata").Element("RequestId", context.RequestId).End().End();
        // CreateAccessKey and AssumeRole answers carry secrets: zero them once sent.
        return new WireResponse(StatusCodes.Status200OK, "text/xml", Encoding.UTF8.GetBytes(writer.ToString()), Sensitive: action is "CreateAccessKey" or "AssumeRole");
    }

    public WireResponse Error(string code, string? message, string requestId) => Error(code, message, requestId, "iam");

    private static WireResponse Error(string code, string? message, string requestId, string service)
    {
        var queryCode = code switch
        {
            AuthErrors.MissingToken => "MissingAuthenticationToken",
            AuthErrors.UnrecognizedClient => "InvalidClientTokenId",
            AuthErrors.InvalidSignature => "SignatureDoesNotMatch",
            AuthErrors.Incomplete => "IncompleteSignature",
            AuthErrors.ExpiredToken => IamErrors.ExpiredToken,
            KmsErrors.Internal => "ServiceFailure",
            KmsErrors.AccessDenied => IamErrors.AccessDenied,
            "ServiceUnavailableException" => "ServiceUnavailable",
            _ => code,
        };
        var status = queryCode switch
        {
            IamErrors.NoSuchEntity => 404,
            IamErrors.EntityAlreadyExists or IamErrors.DeleteConflict or IamErrors.LimitExceeded => 409,
            IamErrors.AccessDenied or "InvalidClientTokenId" or "SignatureDoesNotMatch" or "MissingAuthenticationToken" => 403,
            "ServiceFailure" => 500,
            "ServiceUnavailable" => 503,
            "RequestEntityTooLargeException" => 413,
            _ => 400,
        };
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            xml.WriteStartElement("ErrorResponse", service == "sts" ? StsNamespace : IamNamespace);
            xml.WriteStartElement("Error");
            xml.WriteElementString("Type", status >= 500 ? "Receiver" : "Sender");
            xml.WriteElementString("Code", queryCode);
            if (message is not null)
            {
                xml.WriteElementString("Message", QueryWriter.XmlSafe(message));
            }

            xml.WriteEndElement();
            xml.WriteElementString("RequestId", requestId);
            xml.WriteEndElement();
        }

        return new WireResponse(status, "text/xml", Encoding.UTF8.GetBytes(text.ToString()), ErrorCode: queryCode, ErrorMessage: message);
    }

    private static void WriteUser(QueryWriter writer, IamUser user)
    {
        writer.Start("User");
        WriteUserFields(writer, user);
        writer.End();
    }

    private static void WriteUserFields(QueryWriter writer, IamUser user)
    {
        writer.Element("Path", user.Path).Element("UserName", user.UserName).Element("UserId", user.UserId).Element("Arn", user.Arn).Element("CreateDate", user.CreateDate);
        if (user.Tags.Count > 0)
        {
            writer.List("Tags", user.Tags, (m, t) => m.Element("Key", t.Key).Element("Value", t.Value));
        }
    }

    private static void WriteRole(QueryWriter writer, IamRole role)
    {
        writer.Start("Role");
        WriteRoleFields(writer, role);
        writer.End();
    }

    private static void WriteRoleFields(QueryWriter writer, IamRole role) =>
        writer.Element("Path", role.Path).Element("RoleName", role.RoleName).Element("RoleId", role.RoleId).Element("Arn", role.Arn)
            .Element("CreateDate", role.CreateDate).Element("AssumeRolePolicyDocument", Uri.EscapeDataString(role.AssumeRolePolicyDocument))
            .Element("MaxSessionDuration", role.MaxSessionDuration);

    private static void WritePage(QueryWriter writer, bool truncated, string? marker) => writer.Element("IsTruncated", truncated).Element("Marker", marker);
}
