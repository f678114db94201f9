using System.Text;
using System.Xml;
using Coffer.Core;
using Coffer.Protocol.SigV4;
using Coffer.Service;
using Coffer.Service.Iam;
using Coffer.Service.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Coffer.Protocol.Query;

/// <summary>
/// The AWS Query protocol for the IAM and STS subsets: form-encoded <c>Action</c> and parameters
/// in, <c>&lt;ActionResponse&gt;&lt;ActionResult&gt;…</c> XML out, errors in IAM's XML shape.
/// The operation table says what each action does; this says how each result is written.
/// </summary>
internal sealed class QueryApiCall(HttpContext http, SigV4Authenticator authenticator) : HttpApiCall(http, authenticator)
{
    private const string IamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";
    private const string StsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private Dictionary<string, string> _parameters = [];
    private string _errorService = "iam";

    public override string? OperationName => _parameters.GetValueOrDefault("Action");

    public override async ValueTask ReceiveAsync(CancellationToken cancellationToken)
    {
        await base.ReceiveAsync(cancellationToken);
        _parameters = Parameters(Body);
    }

    /// <summary>The form parameters of a Query body, read once.</summary>
    public static Dictionary<string, string> Parameters(ReadOnlyMemory<byte> body) =>
        QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body.Span)).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    public override Exception UnknownOperation(string service)
    {
        _errorService = service;
        RequestParameters = AuditRedaction.Utf8(AuditRedaction.QueryParameters(_parameters, OperationTable.Secrets()));
        return new KmsException(ErrorCode.UnknownOperation, $"Could not find operation {OperationName} for version {_parameters.GetValueOrDefault("Version")}");
    }

    public override object ReadRequest(OperationSpec spec)
    {
        RequestParameters = AuditRedaction.Utf8(AuditRedaction.QueryParameters(_parameters, spec.Secrets));
        return new IamRequest(_parameters);
    }

    protected override WireResponse Encode(OperationSpec spec, object result)
    {
        var value = ((IamResult)result).Value;
        using var writer = new QueryWriter();
        writer.StartRoot($"{spec.Name}Response", spec.Service == "sts" ? StsNamespace : IamNamespace);
        if (value is not null)
        {
            writer.Start($"{spec.Name}Result");
            WriteResult(writer, spec.Name, value);
            writer.End();
        }

        writer.Start("ResponseMetadata").Element("RequestId", RequestId).End().End();
        // CreateAccessKey and AssumeRole answers carry secrets: zero them once sent.
        return new WireResponse(StatusCodes.Status200OK, "text/xml", Encoding.UTF8.GetBytes(writer.ToString()), Sensitive: spec.Secrets.Count > 0);
    }

    protected override WireResponse EncodeError(ErrorCode code, string? message) => Error(code, message, RequestId, _errorService);

    private static void WriteResult(QueryWriter w, string action, object value)
    {
        switch (value)
        {
            case IamUser user:
                WriteUser(w, user);
                break;
            case IamRole role:
                WriteRole(w, role);
                break;
            case IamPage<IamUser> users:
                WritePage(w.List("Users", users.Items, (m, u) => WriteUserFields(m, u)), users.IsTruncated, users.Marker);
                break;
            case IamPage<IamRole> roles:
                WritePage(w.List("Roles", roles.Items, (m, role) => WriteRoleFields(m, role)), roles.IsTruncated, roles.Marker);
                break;
            case IamAccessKey key:
                w.Start("AccessKey").Element("UserName", key.UserName).Element("AccessKeyId", key.AccessKeyId).Element("Status", key.Status)
                    .Element("SecretAccessKey", key.SecretAccessKey).Element("CreateDate", key.CreateDate).End();
                break;
            case IReadOnlyList<IamAccessKey> keys:
                WritePage(w.List("AccessKeyMetadata", keys, (m, k) => m.Element("UserName", k.UserName).Element("AccessKeyId", k.AccessKeyId)
                    .Element("Status", k.Status).Element("CreateDate", k.CreateDate)), false, null);
                break;
            case InlinePolicy policy:
                var nameElement = action.Contains("Role", StringComparison.Ordinal) ? "RoleName" : "UserName";
                w.Element(nameElement, policy.PrincipalName).Element("PolicyName", policy.PolicyName).Element("PolicyDocument", Uri.EscapeDataString(policy.PolicyDocument));
                break;
            case IReadOnlyList<string> names:
                WritePage(w.StringList("PolicyNames", names), false, null);
                break;
            case CallerIdentity identity:
                w.Element("UserId", identity.UserId).Element("Account", identity.Account).Element("Arn", identity.Arn);
                break;
            case AssumedRole session:
                w.Start("Credentials").Element("AccessKeyId", session.AccessKeyId).Element("SecretAccessKey", session.SecretAccessKey)
                    .Element("SessionToken", session.SessionToken).Element("Expiration", session.Expiration).End()
                    .Start("AssumedRoleUser").Element("AssumedRoleId", session.AssumedRoleId).Element("Arn", session.Arn).End();
                break;
            default:
                throw new InvalidOperationException($"{action} answered {value.GetType().Name}, which the Query protocol cannot write.");
        }
    }

    private static WireResponse Error(ErrorCode code, string? message, string requestId, string service)
    {
        var queryCode = WireErrors.QueryName(code);
        var status = WireErrors.QueryStatus(code);
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
