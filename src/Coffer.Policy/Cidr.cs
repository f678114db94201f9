using System.Net;

namespace Coffer.Policy;

/// <summary>An IPv4 or IPv6 block in CIDR form (a bare address is a /32 or /128).</summary>
internal readonly record struct Cidr(IPAddress Network, int PrefixLength)
{
    public static bool TryParse(string value, out Cidr cidr)
    {
        cidr = default;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? value : value[..slash];
        // IAM wants standard notation; .NET would also read "10.1" or octal "010.0.0.1".
        if ((!addressText.Contains(':', StringComparison.Ordinal) && !IsDottedQuad(addressText)) || !IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        var max = address.GetAddressBytes().Length * 8;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(value.AsSpan(slash + 1), out prefix) || prefix < 0 || prefix > max))
        {
            return false;
        }

        cidr = new Cidr(address, prefix);
        return true;
    }

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255);
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6 && Network.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            address = address.MapToIPv4();
        }

        var network = Network.GetAddressBytes();
        var candidate = address.GetAddressBytes();
        if (network.Length != candidate.Length)
        {
            return false;
        }

        var bits = PrefixLength;
        for (var i = 0; i < network.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((network[i] & mask) != (candidate[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
