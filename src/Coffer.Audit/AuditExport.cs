using System.Text.Json;
using Coffer.Storage;

namespace Coffer.Audit;

/// <summary>
/// The export format: JSON lines that carry everything verification needs. A <c>start</c> line
/// (the point in the chain the export begins after), one <c>event</c> line per event (sequence,
/// chain hash, the CloudTrail event) and one <c>digest</c> line per signed digest. The start is
/// always a point a digest signed (<see cref="AuditAnchor"/>), so an edited start line is caught.
/// </summary>
public static class AuditExport
{
    /// <summary>
    /// Writes the trail from the last signed point before <paramref name="since"/> (or from the
    /// start of the stored trail): up to one digest interval of earlier events comes along, because
    /// a start between digests could not be proven.
    /// </summary>
    public static async Task WriteAsync(TextWriter output, IAuditStore store, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var digests = await store.ReadDigestsAsync(cancellationToken);
        var start = await StartAsync(store, digests.Select(d => AuditDigest.Parse(d.Json)).ToList(), since, cancellationToken);
        await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "start",
            ["afterSequence"] = start.Sequence,
            ["previousHash"] = start.Hash,
        }));

        var after = start.Sequence;
        while (true)
        {
            var page = await store.QueryAsync(new AuditFilter { AfterSequence = after, Limit = 1000 }, cancellationToken);
            foreach (var record in page)
            {
                await output.WriteLineAsync($$"""{"type":"event","sequence":{{record.Sequence}},"hash":"{{Convert.ToHexStringLower(record.Hash)}}","event":{{record.Json}}}""");
                after = record.Sequence;
            }

            if (page.Count < 1000)
            {
                break;
            }
        }

        foreach (var digest in digests)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["type"] = "digest",
                ["sequence"] = digest.Sequence,
                ["json"] = digest.Json,
                ["signature"] = Convert.ToBase64String(digest.Signature),
            }));
        }
    }

    private static async Task<AuditAnchor> StartAsync(IAuditStore store, IReadOnlyList<AuditDigest> digests, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var stored = AuditAnchor.AfterRetention(digests);
        if (since is null)
        {
            return stored;
        }

        var first = await store.QueryAsync(new AuditFilter { Start = since, Limit = 1 }, cancellationToken);
        var before = first.Count == 1 ? first[0].Sequence - 1 : long.MaxValue;
        return AuditAnchor.All(digests).Where(a => a.Sequence >= stored.Sequence && a.Sequence <= before).MaxBy(a => a.Sequence) ?? stored;
    }

    /// <summary>
    /// Reads an export back into records, digests and its starting point. The start is null when
    /// the export says it begins at the stored trail's start without naming a hash, as exports of a
    /// whole trail did before start lines named a signed point.
    /// </summary>
    public static (List<AuditRecord> Records, List<AuditDigestRecord> Digests, (long, byte[])? Start) Read(IEnumerable<string> lines)
    {
        var records = new List<AuditRecord>();
        var digests = new List<AuditDigestRecord>();
        (long, byte[])? start = null;
        var sawStart = false;
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var root = JsonDocument.Parse(line).RootElement;
            switch (root.GetProperty("type").GetString())
            {
                case "start":
                    if (sawStart)
                    {
                        throw new FormatException("The export has more than one start line: it was edited.");
                    }

                    sawStart = true;
                    if (root.GetProperty("previousHash").GetString() is { } previous)
                    {
                        start = (root.GetProperty("afterSequence").GetInt64(), Convert.FromHexString(previous));
                    }

                    break;
                case "event":
                    var json = root.GetProperty("event").GetRawText();
                    var e = root.GetProperty("event");
                    records.Add(new AuditRecord(root.GetProperty("sequence").GetInt64(), DateTimeOffset.Parse(e.GetProperty("eventTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                        e.GetProperty("eventID").GetString()!, e.GetProperty("eventName").GetString()!, e.GetProperty("eventSource").GetString()!, null, null, null, null, null, null,
                        e.GetProperty("readOnly").GetBoolean(), "", json, Convert.FromHexString(root.GetProperty("hash").GetString()!)));
                    break;
                case "digest":
                    var digestJson = root.GetProperty("json").GetString()!;
                    digests.Add(new AuditDigestRecord(root.GetProperty("sequence").GetInt64(), AuditDigest.Parse(digestJson).CreatedAt, digestJson,
                        Convert.FromBase64String(root.GetProperty("signature").GetString()!)));
                    break;
            }
        }

        return (records, digests, start);
    }
}
