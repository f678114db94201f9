using Coffer.Crypto;

namespace Coffer.Cli;

/// <summary>
/// The JSON body that carries shares to the server, composed directly in a pinned array (the form
/// HttpClient takes) that <see cref="Dispose"/> zeroes once the request is sent.
/// </summary>
internal sealed class ShareRequest : IDisposable
{
    private ShareRequest(byte[] body) => Body = body;

    public byte[] Body { get; }

    /// <summary><c>{"share":"…"}</c> for <c>/sys/unseal</c>.</summary>
    public static ShareRequest One(SecretBytes share) => Compose("{\"share\":"u8, [share], "}"u8);

    /// <summary><c>{"shares":["…",…]}</c> for <c>/sys/rotate-domain-key</c>.</summary>
    public static ShareRequest Many(IReadOnlyList<SecretBytes> shares) => Compose("{\"shares\":["u8, shares, "]}"u8);

    private static ShareRequest Compose(ReadOnlySpan<byte> head, IReadOnlyList<SecretBytes> shares, ReadOnlySpan<byte> tail)
    {
        foreach (var share in shares)
        {
            // Share text is printable ASCII without quotes or backslashes, so it goes into JSON as it is.
            foreach (var b in share.Span)
            {
                if (b is < 0x21 or > 0x7E or (byte)'"' or (byte)'\\')
                {
                    throw new FormatException("that is not a Coffer share: it holds characters no share has.");
                }
            }
        }

        var length = head.Length + tail.Length + shares.Sum(s => s.Length + 2) + Math.Max(0, shares.Count - 1);
        var body = GC.AllocateArray<byte>(length, pinned: true);
        var at = 0;
        Append(head);
        for (var i = 0; i < shares.Count; i++)
        {
            if (i > 0)
            {
                Append(","u8);
            }

            Append("\""u8);
            Append(shares[i].Span);
            Append("\""u8);
        }

        Append(tail);
        return new ShareRequest(body);

        void Append(ReadOnlySpan<byte> part)
        {
            part.CopyTo(body.AsSpan(at));
            at += part.Length;
        }
    }

    public void Dispose() => SecretBytes.Zero(Body);
}
