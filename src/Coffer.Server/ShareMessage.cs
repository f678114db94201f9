using System.Text.Json;
using Coffer.Crypto;

namespace Coffer.Server;

/// <summary>
/// The body of <c>/sys/unseal</c> (<c>{"share": "…"}</c> or <c>{"reset": true}</c>) and of
/// <c>/sys/rotate-domain-key</c> (<c>{"shares": ["…", …]}</c>), read straight from the request
/// bytes into pinned secrets. No share ever becomes a string: a string can be neither zeroed nor
/// kept from being copied by the GC. Disposing zeroes every share read.
/// </summary>
internal sealed class ShareMessage : IDisposable
{
    private readonly List<SecretBytes> _shares = [];

    private ShareMessage()
    {
    }

    /// <summary>The value of <c>share</c>, if given.</summary>
    public SecretBytes? Share { get; private set; }

    /// <summary>The values of <c>shares</c>.</summary>
    public IReadOnlyList<SecretBytes> Shares => _shares;

    public bool Reset { get; private set; }

    /// <summary>Throws <see cref="JsonException"/> for a body that is not a JSON object of these members.</summary>
    public static ShareMessage Parse(ReadOnlySpan<byte> body)
    {
        var message = new ShareMessage();
        try
        {
            if (body.Trim(" \t\r\n"u8).IsEmpty)
            {
                return message;
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
                        Expect(message.Share is null);
                        message.Share = ReadSecretString(ref reader);
                        break;
                    case "shares":
                        Expect(reader.TokenType == JsonTokenType.StartArray);
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            message._shares.Add(ReadSecretString(ref reader));
                        }

                        break;
                    case "reset":
                        message.Reset = reader.TokenType == JsonTokenType.True;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            Expect(reader.TokenType == JsonTokenType.EndObject);
            return message;
        }
        catch
        {
            message.Dispose();
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

    public void Dispose()
    {
        Share?.Dispose();
        foreach (var share in _shares)
        {
            share.Dispose();
        }
    }
}
