using System.Globalization;
using System.Text;
using System.Xml;

namespace Coffer.Protocol.Query;

/// <summary>Writes the XML of Query-protocol responses: IAM's and STS's element names, lists as <c>member</c>, ISO 8601 dates.</summary>
public sealed class QueryWriter : IDisposable
{
    private readonly XmlWriter _xml;
    private readonly StringBuilder _text = new();

    public QueryWriter() => _xml = XmlWriter.Create(_text, new XmlWriterSettings { OmitXmlDeclaration = true, Indent = false });

    public QueryWriter Element(string name, string? value)
    {
        if (value is not null)
        {
            _xml.WriteElementString(name, value);
        }

        return this;
    }

    public QueryWriter Element(string name, DateTimeOffset value) =>
        Element(name, value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    public QueryWriter Element(string name, int value) => Element(name, value.ToString(CultureInfo.InvariantCulture));

    public QueryWriter Element(string name, bool value) => Element(name, value ? "true" : "false");

    public QueryWriter Start(string name)
    {
        _xml.WriteStartElement(name);
        return this;
    }

    public QueryWriter End()
    {
        _xml.WriteEndElement();
        return this;
    }

    public QueryWriter List<T>(string name, IEnumerable<T> items, Action<QueryWriter, T> writeMember)
    {
        Start(name);
        foreach (var item in items)
        {
            Start("member");
            writeMember(this, item);
            End();
        }

        return End();
    }

    public QueryWriter StringList(string name, IEnumerable<string> items)
    {
        Start(name);
        foreach (var item in items)
        {
            Element("member", item);
        }

        return End();
    }

    internal void StartRoot(string name, string ns) => _xml.WriteStartElement(name, ns);

    public override string ToString()
    {
        _xml.Flush();
        return _text.ToString();
    }

    public void Dispose() => _xml.Dispose();
}
