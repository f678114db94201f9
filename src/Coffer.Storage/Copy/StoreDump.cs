using System.Runtime.CompilerServices;
using System.Text;

namespace Coffer.Storage.Copy;

/// <summary>
/// A whole store as one byte stream (the plaintext inside a backup): a version, then each table of
/// <see cref="StoreTables.All"/> in order as its name, its column types and its rows, then an end
/// mark. Integers are little-endian; lengths are 7-bit encoded. Written and read in one pass, so a
/// backup never holds the store in memory.
/// </summary>
/// <remarks>
/// Format 1: <c>"CDMP" 0x01</c>; per table <c>0x54 name columnCount types… (0x52 values…)* 0x00</c>;
/// <c>0x45</c> at the end. A value is <c>0x00</c> (null) or <c>0x01</c> and the value in its
/// column's type.
/// </remarks>
public static class StoreDump
{
    private static ReadOnlySpan<byte> Magic => "CDMP"u8;
    private const byte Version = 1;
    private const byte TableMark = 0x54;
    private const byte RowMark = 0x52;
    private const byte TableEnd = 0x00;
    private const byte DumpEnd = 0x45;

    // A value larger than any Coffer writes (a policy is at most 32 KiB, an audit event a few): a
    // length beyond it is a malformed dump, not a reason to allocate gigabytes.
    private const int MaxValueLength = 64 * 1024 * 1024;

    /// <summary>Writes a snapshot into <paramref name="output"/> (which the caller owns); returns the rows per table.</summary>
    public static Task<IReadOnlyList<CopiedTable>> WriteAsync(IStoreSnapshot source, Stream output, CancellationToken cancellationToken) =>
        StoreCopy.CopyAsync(source, new Writer(output), cancellationToken);

    /// <summary>A snapshot over a dump; <see cref="Reader.ReadEndAsync"/> then checks that nothing is missing or left over.</summary>
    public static Reader Read(Stream input) => new(input);

    private sealed class Writer(Stream output) : IStoreCopyTarget
    {
        private readonly BinaryWriter _out = new(output, Encoding.UTF8, leaveOpen: true);
        private bool _started;

        public async ValueTask<long> WriteAsync(CopyTable table, IAsyncEnumerable<object?[]> rows, CancellationToken cancellationToken)
        {
            if (!_started)
            {
                _out.Write(Magic);
                _out.Write(Version);
                _started = true;
            }

            _out.Write(TableMark);
            _out.Write(table.Name);
            _out.Write7BitEncodedInt(table.Columns.Count);
            foreach (var column in table.Columns)
            {
                _out.Write((byte)column.Type);
            }

            long count = 0;
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                _out.Write(RowMark);
                for (var i = 0; i < row.Length; i++)
                {
                    WriteValue(table.Columns[i].Type, row[i]);
                }

                count++;
            }

            _out.Write(TableEnd);
            return count;
        }

        private void WriteValue(ColumnType type, object? value)
        {
            if (value is null)
            {
                _out.Write((byte)0);
                return;
            }

            _out.Write((byte)1);
            switch (type)
            {
                case ColumnType.Text:
                    _out.Write((string)value);
                    break;
                case ColumnType.Integer:
                    _out.Write((long)value);
                    break;
                case ColumnType.Blob:
                    var bytes = (byte[])value;
                    _out.Write7BitEncodedInt(bytes.Length);
                    _out.Write(bytes);
                    break;
                case ColumnType.Boolean:
                    _out.Write((bool)value);
                    break;
                default:
                    throw new InvalidOperationException($"Column type {type} has no encoding.");
            }
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken)
        {
            _out.Write(DumpEnd);
            _out.Flush();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _out.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Reads a dump back as a snapshot, its tables in the order they were written.</summary>
    public sealed class Reader : IStoreSnapshot
    {
        private readonly Stream _input;
        private readonly BinaryReader _in;
        private bool _started;

        internal Reader(Stream input)
        {
            _input = input;
            _in = new BinaryReader(input, Encoding.UTF8, leaveOpen: true);
        }

        public async IAsyncEnumerable<object?[]> ReadAsync(CopyTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            try
            {
                ReadStart();
                Expect(TableMark, $"table {table.Name}");
                var name = _in.ReadString();
                var count = _in.Read7BitEncodedInt();
                if (name != table.Name || count != table.Columns.Count || table.Columns.Any(c => _in.ReadByte() != (byte)c.Type))
                {
                    throw new StoreCopyFormatException($"The backup holds table {name} with {count} columns where this Coffer expects {table.Name} ({table.ColumnList}).");
                }
            }
            catch (EndOfStreamException)
            {
                throw Truncated();
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                object?[] row;
                try
                {
                    var mark = _in.ReadByte();
                    if (mark == TableEnd)
                    {
                        yield break;
                    }

                    if (mark != RowMark)
                    {
                        throw Malformed($"in table {table.Name}");
                    }

                    row = new object?[table.Columns.Count];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = ReadValue(table.Columns[i].Type);
                    }
                }
                catch (EndOfStreamException)
                {
                    throw Truncated();
                }

                yield return row;
            }
        }

        /// <summary>Checks the end mark and reads the input to its end, so that a stream that authenticates as it goes has checked everything.</summary>
        public async Task ReadEndAsync(CancellationToken cancellationToken)
        {
            try
            {
                ReadStart();
                Expect(DumpEnd, "the end mark");
            }
            catch (EndOfStreamException)
            {
                throw Truncated();
            }

            var rest = new byte[1];
            if (await _input.ReadAsync(rest, cancellationToken) != 0)
            {
                throw Malformed("after the end mark");
            }
        }

        private void ReadStart()
        {
            if (_started)
            {
                return;
            }

            Span<byte> magic = stackalloc byte[4];
            _in.BaseStream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic) || _in.ReadByte() != Version)
            {
                throw Malformed("at its start (not a Coffer store dump of format 1)");
            }

            _started = true;
        }

        private object? ReadValue(ColumnType type)
        {
            switch (_in.ReadByte())
            {
                case 0:
                    return null;
                case 1:
                    break;
                default:
                    throw Malformed("in a value");
            }

            return type switch
            {
                ColumnType.Text => _in.ReadString(),
                ColumnType.Integer => _in.ReadInt64(),
                ColumnType.Blob => ReadBytes(Length()),
                ColumnType.Boolean => _in.ReadBoolean(),
                _ => throw Malformed("in a column type"),
            };
        }

        private byte[] ReadBytes(int length)
        {
            var bytes = _in.ReadBytes(length);
            return bytes.Length == length ? bytes : throw new EndOfStreamException();
        }

        private int Length()
        {
            var length = _in.Read7BitEncodedInt();
            return length is >= 0 and <= MaxValueLength ? length : throw Malformed("in a length");
        }

        private void Expect(byte mark, string what)
        {
            if (_in.ReadByte() != mark)
            {
                throw Malformed($"where {what} should be");
            }
        }

        private static StoreCopyFormatException Malformed(string where) => new($"The backup's contents are malformed {where}.");

        private static StoreCopyFormatException Truncated() => new("The backup's contents end early.");

        public ValueTask DisposeAsync()
        {
            _in.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
