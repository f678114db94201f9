using System.Text.Json;
using Coffer.Storage;

namespace Coffer.Audit;

/// <summary>
/// The export format: JSON lines that carry everything verification needs. A <c>start</c> line
/// (where the export begins in the chain), one <c>event</c> line per event (sequence, chain hash,
/// the CloudTrail event) and one <c>digest</c> line per signed digest.
/// </summary>
public static class AuditExport
{
    public static async Task WriteAsync(TextWriter output, IAuditStore store, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var first = true;
        long after = 0;
        while (true)
        {
            var page = await store.QueryAsync(new AuditFilter { Start = since, AfterSequence = after, Limit = 1000 }, cancellationToken);
            foreach (var record in page)
            {
                if (first)
                {
                    var previous = await store.QueryAsync(new AuditFilter { BeforeSequence = record.Sequence, NewestFirst = true, Limit = 1 }, cancellationToken);
                    await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["type"] = "start",
                        ["afterSequence"] = record.Sequence - 1,
                        ["previousHash"] = previous.Count == 1 && previous[0].Sequence == record.Sequence - 1 ? Convert.ToHexStringLower(previous[0].Hash) : null,
                    }));
                    first = false;
                }

                await output.WriteLineAsync($$"""{"type":"event","sequence":{{record.Sequence}},"hash":"{{Convert.ToHexStringLower(record.Hash)}}","event":{{record.Json}}}""");
                after = record.Sequence;
            }

            if (page.Count < 1000)
            {
                break;
            }
        }

        foreach (var digest in await store.ReadDigestsAsync(cancellationToken))
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

    /// <summary>Reads an export back into records, digests and its starting point.</summary>
    public static (List<AuditRecord> Records, List<AuditDigestRecord> Digests, (long, byte[])? Start) Read(IEnumerable<string> lines)
    {
        var records = new List<AuditRecord>();
        var digests = new List<AuditDigestRecord>();
        (long, byte[])? start = null;
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var root = JsonDocument.Parse(line).RootElement;
            switch (root.GetProperty("type").GetString())
            {
                case "start" when root.GetProperty("previousHash").GetString() is { } previous:
                    start = (root.GetProperty("afterSequence").GetInt64(), Convert.FromHexString(previous));
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
