using System.Net;

namespace Coffer.Server;

/// <summary>Parses <c>HOST:PORT</c> (<c>127.0.0.1:8080</c>, <c>[::1]:8080</c>, <c>localhost:0</c>).</summary>
public static class ListenEndpoint
{
    public static IPEndPoint Parse(string value)
    {
        if (!TryParse(value, out var endpoint, out var error))
        {
            throw new FormatException(error);
        }

        return endpoint;
    }

    public static bool TryParse(string value, out IPEndPoint endpoint, out string error)
    {
        endpoint = null!;
        error = "";
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(value.AsSpan(colon + 1), out var port))
        {
            error = $"'{value}' is not HOST:PORT (for example 127.0.0.1:8080).";
            return false;
        }

        var host = value[..colon].Trim('[', ']');
        if (host == "localhost")
        {
            host = "127.0.0.1";
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            error = $"'{host}' is not an IP address (use 127.0.0.1, 0.0.0.0, ::1 or localhost).";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
