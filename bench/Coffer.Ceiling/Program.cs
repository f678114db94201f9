using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: dotnet Coffer.Ceiling.dll --urls http://127.0.0.1:18081
// The load generator first stores, with POST /_canned/NAME, the response Coffer gave to each of its
// workloads; then every POST /NAME reads its whole body and answers that response. It checks no
// signature and parses nothing: what Kestrel and the network stack cost on this machine.
var canned = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
var app = builder.Build();

// Coffer sends a request id of this length on every response; the ceiling sends as many bytes.
const string RequestId = "00000000-0000-0000-0000-000000000000";

app.Run(async http =>
{
    var path = http.Request.Path.Value ?? "/";
    if (path.StartsWith("/_canned/", StringComparison.Ordinal))
    {
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy, http.RequestAborted);
        canned[path["/_canned/".Length..]] = copy.ToArray();
        http.Response.StatusCode = 204;
        return;
    }

    // Read the body to its end, as Coffer does before it can check the signature over it.
    var buffer = ArrayPool<byte>.Shared.Rent(8192);
    try
    {
        while (await http.Request.Body.ReadAsync(buffer, http.RequestAborted) > 0)
        {
        }
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }

    if (!canned.TryGetValue(path[1..], out var response))
    {
        http.Response.StatusCode = 404;
        return;
    }

    http.Response.StatusCode = 200;
    http.Response.ContentType = "application/x-amz-json-1.1";
    http.Response.Headers["x-amzn-RequestId"] = RequestId;
    http.Response.ContentLength = response.Length;
    await http.Response.Body.WriteAsync(response, http.RequestAborted);
});

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine("Ceiling listening"));
app.Run();
