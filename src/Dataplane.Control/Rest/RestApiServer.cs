using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dataplane.Control.Net;

namespace Dataplane.Control.Rest;

/// <summary>
/// A small HTTP/1.1 server for the TOF REST API on TcpListener (no URL ACLs, no extra package), in the style of the
/// metrics server: one request per connection (Connection: close), every request checked for the bearer token before
/// anything else (401 otherwise, so an unauthenticated client learns nothing, not even which paths exist), bodies only
/// with Content-Length and at most <see cref="MaxBodyBytes"/>, and a client that has not finished its request and
/// read its response within <see cref="ClientTimeout"/> is cut off.
/// </summary>
public sealed class RestApiServer : IDisposable
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxHeadBytes = 16 * 1024;
    public const int MaxConnections = 64;

    /// <summary>An oversize body up to this size is read and thrown away before the 400, so the client sees the answer, not a reset.</summary>
    private const int MaxDrainBytes = 1024 * 1024;

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly TcpConnectionServer server;
    private readonly TofRestApi api;
    private readonly BearerToken token;

    /// <param name="host">An address, a name to resolve, or "*" for every address.</param>
    /// <param name="clientTimeout">How long a client may take to send its request and read the answer; default 10 s.</param>
    public RestApiServer(string host, int port, TofRestApi api, BearerToken token, TimeSpan? clientTimeout = null)
    {
        ClientTimeout = clientTimeout ?? TimeSpan.FromSeconds(10);
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        this.token = token ?? throw new ArgumentNullException(nameof(token));
        server = new TcpConnectionServer(host, port, ClientTimeout, MaxConnections, Serve, api.Logger);
    }

    public TimeSpan ClientTimeout { get; }

    /// <summary>Where it listens (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint Endpoint => server.Endpoint;

    public void Start() => server.Start();

    private async Task Serve(NetworkStream stream, CancellationToken cancel)
    {
        var response = await Exchange(stream, cancel).ConfigureAwait(false);
        if (response is not null)
        {
            await Write(stream, response, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one request and answers it; null when the client went away before sending a whole head.</summary>
    private async Task<RestResponse?> Exchange(NetworkStream stream, CancellationToken cancel)
    {
        var buffer = new byte[MaxHeadBytes + 4096];
        int filled = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf(HeadEnd)) < 0)
        {
            if (filled >= MaxHeadBytes)
            {
                return RestResponse.Error(400, $"request head over {MaxHeadBytes} bytes");
            }

            int read = await stream.ReadAsync(buffer.AsMemory(filled, buffer.Length - filled), cancel).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            filled += read;
        }

        var parsed = ParseHead(Encoding.Latin1.GetString(buffer, 0, headEnd));
        if (parsed is null)
        {
            return RestResponse.Error(400, "malformed request line or header");
        }

        var (method, path, headers) = parsed.Value;

        if (!token.Accepts(headers.GetValueOrDefault("Authorization")))
        {
            return RestResponse.Error(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)", KeyValuePair.Create("WWW-Authenticate", "Bearer realm=\"dataplane\""));
        }

        if (headers.ContainsKey("Transfer-Encoding"))
        {
            return RestResponse.Error(400, "chunked bodies are not supported; send Content-Length");
        }

        long length = 0;
        if (headers.TryGetValue("Content-Length", out var lengthText)
            && (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out length)))
        {
            return RestResponse.Error(400, $"Content-Length '{lengthText}' is not a number");
        }

        bool expectsContinue = string.Equals(headers.GetValueOrDefault("Expect"), "100-continue", StringComparison.OrdinalIgnoreCase);
        int alreadyRead = filled - (headEnd + HeadEnd.Length);
        if (length > MaxBodyBytes)
        {
            if (!expectsContinue && length <= MaxDrainBytes)
            {
                await Drain(stream, length - alreadyRead, cancel).ConfigureAwait(false);
            }

            return RestResponse.Error(400, $"body of {length} bytes is over the {MaxBodyBytes}-byte limit");
        }

        if (expectsContinue && alreadyRead == 0 && length > 0)
        {
            await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancel).ConfigureAwait(false);
        }

        var body = new byte[length];
        int bodyFilled = Math.Min(alreadyRead, (int)length);
        buffer.AsSpan(headEnd + HeadEnd.Length, bodyFilled).CopyTo(body);
        while (bodyFilled < length)
        {
            int read = await stream.ReadAsync(body.AsMemory(bodyFilled), cancel).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            bodyFilled += read;
        }

        return api.Handle(new RestRequest(method, path, headers, body));
    }

    /// <summary>"METHOD /path?query HTTP/1.x" and "Name: value" lines; null when malformed.</summary>
    private static (string Method, string Path, Dictionary<string, string> Headers)? ParseHead(string head)
    {
        string[] lines = head.Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0].Length == 0 || !requestLine[1].StartsWith('/') || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return null;
            }

            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return (requestLine[0], requestLine[1].Split('?')[0], headers);
    }

    private static async Task Drain(NetworkStream stream, long remaining, CancellationToken cancel)
    {
        var scratch = new byte[16384];
        while (remaining > 0)
        {
            int read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, remaining)), cancel).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            remaining -= read;
        }
    }

    private static async Task Write(NetworkStream stream, RestResponse response, CancellationToken cancel)
    {
        byte[] content = Encoding.UTF8.GetBytes(response.Body);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {RestResponse.Reason(response.Status)}\r\n")
            .Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {content.Length}\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in response.Headers ?? [])
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancel).ConfigureAwait(false);
        await stream.WriteAsync(content, cancel).ConfigureAwait(false);
    }

    public void Dispose() => server.Dispose();
}
