using System.CommandLine;
using System.Text;
using System.Text.Json;
using Coffer.Crypto;
using Coffer.Protocol.SigV4;

namespace Coffer.Cli;

/// <summary><c>coffer unseal</c>, <c>coffer seal</c> and <c>coffer status</c>: talking to a running server about its seal.</summary>
internal static class SealCommands
{
    private static Option<string> Address() => new("--address")
    {
        Description = "The server's URL",
        HelpName = "URL",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COFFER_ADDRESS") ?? "http://127.0.0.1:8080",
    };

    public static Command Unseal()
    {
        var address = Address();
        var reset = new Option<bool>("--reset") { Description = "Forget the shares given so far instead of giving one" };
        var command = new Command("unseal", """
            Give the server one unseal share, typed at a prompt without echo or read from standard input.
            A share goes only over https://, or over http:// to a loopback address.
            """) { address, reset };
        command.SetAction(async (result, cancellationToken) =>
        {
            var target = result.GetValue(address)!;
            if (result.GetValue(reset))
            {
                return await SendAsync(HttpMethod.Post, target, "/sys/unseal", "{\"reset\":true}"u8.ToArray(), sign: false, cancellationToken);
            }

            // Refused before the share is even asked for, so nobody types it in vain.
            if (RefuseSharesOverPlainHttp(target) is { } refusal)
            {
                return refusal;
            }

            try
            {
                using var share = ShareInput.ReadOne();
                if (share is null)
                {
                    Console.Error.WriteLine("coffer: no share given.");
                    return ExitCodes.Usage;
                }

                using var request = ShareRequest.One(share);
                return await SendAsync(HttpMethod.Post, target, "/sys/unseal", request.Body, sign: false, cancellationToken);
            }
            catch (FormatException error)
            {
                Console.Error.WriteLine($"coffer: {error.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    public static Command Seal()
    {
        var address = Address();
        var command = new Command("seal", """
            Seal a running server: it drops every key it holds and refuses requests until unsealed again.
            Signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); the caller's IAM
            policies must allow coffer:Seal (an account admin's do).
            """)
        {
            address,
        };
        command.SetAction((result, cancellationToken) => SendAsync(HttpMethod.Post, result.GetValue(address)!, "/sys/seal", [], sign: true, cancellationToken));
        return command;
    }

    public static Command RotateDomainKey()
    {
        var address = Address();
        var command = new Command("rotate-domain-key", """
            Rotate the domain key of a running server, which keeps serving: every stored secret is sealed again under
            a new domain key and the old one is retired. A Shamir-sealed server needs T shares on standard input,
            one per line, sent only over https:// or to a loopback address. Signed with AWS_ACCESS_KEY_ID /
            AWS_SECRET_ACCESS_KEY; needs coffer:RotateDomainKey.
            """)
        {
            address,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var target = result.GetValue(address)!;
            if (!ShareInput.TryReadAll(out var shares))
            {
                return ExitCodes.Failure;
            }

            try
            {
                if (shares.Count > 0 && RefuseSharesOverPlainHttp(target) is { } refusal)
                {
                    return refusal;
                }

                using var request = ShareRequest.Many(shares);
                return await SendAsync(HttpMethod.Post, target, "/sys/rotate-domain-key", request.Body, sign: true, cancellationToken);
            }
            catch (FormatException error)
            {
                Console.Error.WriteLine($"coffer: {error.Message}");
                return ExitCodes.Failure;
            }
            finally
            {
                foreach (var share in shares)
                {
                    share.Dispose();
                }
            }
        });
        return command;
    }

    public static Command Status()
    {
        var address = Address();
        var command = new Command("status", "Show whether the server is sealed, and the unseal progress.") { address };
        command.SetAction((result, cancellationToken) => SendAsync(HttpMethod.Get, result.GetValue(address)!, "/health", null, sign: false, cancellationToken));
        return command;
    }

    /// <summary>
    /// A share is the credential that unseals the server: over plain HTTP anyone on the path reads
    /// it. Plain HTTP is accepted only to a loopback address (a TLS-terminating proxy on this host).
    /// Returns the exit code of the refusal, or null when the address is fine.
    /// </summary>
    private static int? RefuseSharesOverPlainHttp(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Console.Error.WriteLine($"coffer: --address: '{address}' is not an http:// or https:// URL.");
            return ExitCodes.Usage;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            Console.Error.WriteLine($"coffer: refusing to send a share over plain HTTP to {uri.Host}, which is not a loopback address; use https://.");
            return ExitCodes.Usage;
        }

        return null;
    }

    private static async Task<int> SendAsync(HttpMethod method, string address, string path, byte[]? body, bool sign, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, new Uri(new Uri(address), path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        if (sign)
        {
            var id = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
            var secretText = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secretText))
            {
                Console.Error.WriteLine("coffer: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to an admin's key.");
                return ExitCodes.Usage;
            }

            using var secret = SecretBytes.CopyOf(Encoding.UTF8.GetBytes(secretText));
            var token = Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN");
            SigV4RequestSigner.Sign(request, body ?? [], id, secret, Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1", "kms",
                string.IsNullOrEmpty(token) ? null : token, TimeProvider.System.GetUtcNow());
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement;
            if (!response.IsSuccessStatusCode)
            {
                var message = json.TryGetProperty("message", out var m) ? m.GetString() : json.TryGetProperty("Message", out var m2) ? m2.GetString() : null;
                Console.Error.WriteLine($"coffer: {(json.TryGetProperty("__type", out var type) ? type.GetString() : response.StatusCode.ToString())}: {message}");
                return ExitCodes.Failure;
            }

            if (json.TryGetProperty("domainKeyVersion", out var version))
            {
                Console.WriteLine($"Domain key rotated to version {version.GetUInt32()}; {json.GetProperty("resealed").GetInt32()} stored secrets sealed again.");
                return ExitCodes.Success;
            }

            var sealedNow = json.GetProperty("sealed").GetBoolean();
            Console.WriteLine(sealedNow
                ? $"Sealed ({json.GetProperty("seal").GetString()}): {json.GetProperty("progress").GetInt32()} of {json.GetProperty("threshold").GetInt32()} shares given."
                : $"Unsealed ({json.GetProperty("seal").GetString()}).");
            return ExitCodes.Success;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"coffer: cannot reach {address}: {error.Message}");
            return ExitCodes.Failure;
        }
    }
}
