using System.Runtime.InteropServices;
using System.Text.Json;

namespace Coffer.Crypto.Tests;

public class ZeroingBufferWriterTests
{
    [Fact]
    public void Growing_keeps_what_was_written_and_zeroes_the_outgrown_array()
    {
        var buffer = new ZeroingBufferWriter(16);
        var secret = Enumerable.Range(1, 12).Select(i => (byte)i).ToArray();
        secret.CopyTo(buffer.GetSpan(12));
        buffer.Advance(12);
        Assert.True(MemoryMarshal.TryGetArray<byte>(buffer.GetMemory(1), out var first));

        // Asking for more than is left moves everything to a larger array.
        buffer.GetSpan(100)[0] = 0xEE;
        buffer.Advance(1);

        Assert.True(buffer.Capacity >= 12 + 100);
        Assert.Equal([.. secret, 0xEE], buffer.WrittenSpan.ToArray());
        Assert.All(first.Array!, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Clearing_zeroes_what_was_written_and_starts_again_empty()
    {
        var buffer = new ZeroingBufferWriter(32);
        buffer.GetSpan(8)[..8].Fill(0x5A);
        buffer.Advance(8);
        Assert.True(MemoryMarshal.TryGetArray<byte>(buffer.GetMemory(1), out var array));

        buffer.Clear();

        Assert.Equal(0, buffer.WrittenSpan.Length);
        Assert.All(array.Array!, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Advancing_past_the_end_is_refused()
    {
        var buffer = new ZeroingBufferWriter(8);
        buffer.GetSpan(8);
        Assert.Throws<InvalidOperationException>(() => buffer.Advance(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.GetSpan(-1));
    }

    [Fact]
    public void A_json_document_larger_than_the_first_buffer_comes_out_whole()
    {
        // Through the scratch writer every response uses: a document past 4 KiB makes the buffer grow mid-write.
        var values = Enumerable.Range(0, 600).Select(i => $"value-{i}").ToArray();
        using (var scratch = ScratchJson.Rent())
        {
            JsonSerializer.Serialize(scratch.Writer, values);
            Assert.True(scratch.Written.Length > 4096);
            Assert.Equal(values, JsonSerializer.Deserialize<string[]>(scratch.Written));
        }

        using var again = ScratchJson.Rent();
        again.Writer.WriteStringValue("next");
        Assert.Equal("\"next\"", System.Text.Encoding.UTF8.GetString(again.Written));
    }
}
