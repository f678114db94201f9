namespace Coffer.Storage.Copy;

/// <summary>
/// One consistent, read-only view of a whole store (records and audit trail), read table by table.
/// Rows stream: a big trail is never held in memory. Not thread-safe: read one table at a time, in
/// <see cref="StoreTables.All"/> order, each to its end.
/// </summary>
public interface IStoreSnapshot : IAsyncDisposable
{
    /// <summary>
    /// The rows of <paramref name="table"/> in key order, one value per column of
    /// <see cref="CopyTable.Columns"/>: <see cref="string"/>, <see cref="long"/>, <see cref="byte"/>[],
    /// <see cref="bool"/> or null.
    /// </summary>
    IAsyncEnumerable<object?[]> ReadAsync(CopyTable table, CancellationToken cancellationToken);
}

/// <summary>
/// An empty store being filled from a snapshot. Nothing it wrote is kept unless
/// <see cref="CommitAsync"/> returned: disposing it before that undoes the writes.
/// </summary>
public interface IStoreCopyTarget : IAsyncDisposable
{
    /// <summary>Writes every row of one table; returns how many rows the target now holds of it.</summary>
    ValueTask<long> WriteAsync(CopyTable table, IAsyncEnumerable<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>Makes everything written durable.</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken);
}

/// <summary>A copy's target already holds a store; Coffer never merges two stores into one.</summary>
public sealed class StoreNotEmptyException(string message) : IOException(message);

/// <summary>A snapshot that cannot be read as a store of this Coffer version (a table's columns differ, a backup's contents are malformed).</summary>
public sealed class StoreCopyFormatException(string message) : IOException(message);

/// <summary>How many rows of one table a copy wrote.</summary>
public sealed record CopiedTable(string Table, long Rows);

/// <summary>Copies every table of a snapshot into a target, in <see cref="StoreTables.All"/> order, then commits.</summary>
public static class StoreCopy
{
    /// <summary>
    /// Copies and commits; <paramref name="beforeCommit"/> may still refuse the copy (a backup's end
    /// not checked yet), and then the target keeps nothing.
    /// </summary>
    public static async Task<IReadOnlyList<CopiedTable>> CopyAsync(IStoreSnapshot source, IStoreCopyTarget target, CancellationToken cancellationToken,
        Func<CancellationToken, Task>? beforeCommit = null)
    {
        var copied = new List<CopiedTable>();
        foreach (var table in StoreTables.All)
        {
            copied.Add(new CopiedTable(table.Name, await target.WriteAsync(table, source.ReadAsync(table, cancellationToken), cancellationToken)));
        }

        if (beforeCommit is not null)
        {
            await beforeCommit(cancellationToken);
        }

        await target.CommitAsync(cancellationToken);
        return copied;
    }

    /// <summary>
    /// One row as the neutral form carries it, from an engine's reader over <see cref="CopyTable.ColumnList"/>:
    /// integers of any width become <see cref="long"/>, SQLite's 0 and 1 or PostgreSQL's boolean a <see cref="bool"/>.
    /// </summary>
    public static object?[] ReadRow(System.Data.Common.DbDataReader reader, CopyTable table)
    {
        var row = new object?[table.Columns.Count];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = reader.IsDBNull(i) ? null : table.Columns[i].Type switch
            {
                ColumnType.Text => reader.GetString(i),
                ColumnType.Integer => Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture),
                ColumnType.Blob => (byte[])reader.GetValue(i),
                ColumnType.Boolean => Convert.ToBoolean(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new InvalidOperationException($"Column type {table.Columns[i].Type} is not read."),
            };
        }

        return row;
    }

    /// <summary>Checks that a table in an engine has exactly the columns <see cref="StoreTables"/> lists, so that none is dropped on the way.</summary>
    public static void CheckColumns(CopyTable table, IReadOnlyList<string> actual)
    {
        var expected = table.Columns.Select(c => c.Name).Order(StringComparer.Ordinal);
        if (!expected.SequenceEqual(actual.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            throw new StoreCopyFormatException(
                $"Table {table.Name} has the columns ({string.Join(", ", actual)}), not the ({table.ColumnList}) this Coffer copies; "
                + "run 'coffer migrate' on the source with this Coffer version first.");
        }
    }
}
