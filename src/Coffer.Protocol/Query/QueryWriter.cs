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
            _xml.WriteElementString(name, XmlSafe(value));
        }

        return this;
    }

    /// <summary>
    /// XML 1.0 cannot carry control characters or half surrogate pairs, even escaped, and an
    /// error message may echo them from the request: each becomes U+FFFD, so the response is
    /// well-formed XML instead of an exception.
    /// </summary>
    internal static string XmlSafe(string value)
    {
        var bad = value.AsSpan().IndexOfAnyExcept(XmlCharacters);
        if (bad < 0)
        {
            return value;
        }

        var chars = value.ToCharArray();
        for (var i = bad; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (!XmlConvert.IsXmlChar(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    /// <summary>The characters XML 1.0 allows outside surrogate pairs (which the slow path checks one by one).</summary>
    private static readonly System.Buffers.SearchValues<char> XmlCharacters = System.Buffers.SearchValues.Create(
        Enumerable.Range(0, 0xD800).Concat(Enumerable.Range(0xE000, 0xFFFE - 0xE000)).Select(c => (char)c).Where(XmlConvert.IsXmlChar).ToArray());

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
