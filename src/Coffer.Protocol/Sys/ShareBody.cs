using System.Text.Json;
using Coffer.Crypto;

using Coffer.Service.Operations;

namespace Coffer.Protocol.Sys;

/// <summary>
/// The body of <c>/sys/unseal</c> (<c>{"share": "…"}</c> or <c>{"reset": true}</c>) and of
/// <c>/sys/rotate-domain-key</c> (<c>{"shares": ["…", …]}</c>), read straight from the request
/// bytes into pinned secrets. No share ever becomes a string: a string can be neither zeroed nor
/// kept from being copied by the GC. Disposing zeroes every share read.
/// </summary>
internal static class ShareBody
{
    /// <summary>Throws <see cref="JsonException"/> for a body that is not a JSON object of these members.</summary>
    public static ShareRequest Parse(ReadOnlySpan<byte> body)
    {
        SecretBytes? share = null;
        var shares = new List<SecretBytes>();
        var reset = false;
        try
        {
            if (body.Trim(" \t\r\n"u8).IsEmpty)
            {
                return new ShareRequest(reset, share, shares);
            }

            // A string that is not UTF-8 parses and throws only when read: refuse it up front as malformed.
            Expect(System.Text.Unicode.Utf8.IsValid(body));
            var reader = new Utf8JsonReader(body);
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueTextEquals("share"u8) ? "share" : reader.ValueTextEquals("shares"u8) ? "shares" : reader.ValueTextEquals("reset"u8) ? "reset" : null;
                Expect(reader.Read());
                switch (name)
                {
                    case "share":
                        Expect(share is null);
                        share = ReadSecretString(ref reader);
                        break;
                    case "shares":
                        Expect(reader.TokenType == JsonTokenType.StartArray);
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            shares.Add(ReadSecretString(ref reader));
                        }

                        break;
                    case "reset":
                        reset = reader.TokenType == JsonTokenType.True;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            Expect(reader.TokenType == JsonTokenType.EndObject);
            return new ShareRequest(reset, share, shares);
        }
        catch
        {
            new ShareRequest(reset, share, shares).Dispose();
            throw;
        }
    }

    private static SecretBytes ReadSecretString(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType == JsonTokenType.String);
        // Unescaping can only shorten the value, so its raw length is room enough.
        var scratch = GC.AllocateArray<byte>(reader.ValueSpan.Length, pinned: true);
        try
        {
            var length = reader.CopyString(scratch);
            return SecretBytes.CopyOf(scratch.AsSpan(0, length));
        }
        finally
        {
            SecretBytes.Zero(scratch);
        }
    }

    private static void Expect(bool condition)
    {
        if (!condition)
        {
            throw new JsonException("The body is not a JSON object of share, shares or reset.");
        }
    }
}
