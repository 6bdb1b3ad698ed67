using System.Net;
using System.Net.Sockets;
using System.Text;
using Dataplane.Control.Net;

namespace Dataplane.Control.Metrics;

/// <summary>
/// A minimal HTTP/1.1 server for Prometheus: GET /metrics answers the text format, any other path 404, any other
/// method 405; one request per connection (Connection: close), which is how Prometheus scrapes anyway. Built on
/// TcpListener so it needs no URL ACLs and no extra package.
/// </summary>
public sealed class MetricsServer : IDisposable
{
    private readonly Func<string> render;
    private readonly TcpConnectionServer server;

    /// <param name="host">An address, a name to resolve, or "*" for every address.</param>
    /// <param name="logger">Category <c>Dataplane.Control.Metrics</c>; none = silent.</param>
    public MetricsServer(string host, int port, Func<string> render, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        this.render = render;
        server = new TcpConnectionServer(host, port, TimeSpan.FromSeconds(10), maxConnections: 16, Serve, logger);
    }

    /// <summary>Where it listens (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint Endpoint => server.Endpoint;

    public void Start() => server.Start();

    private async Task Serve(NetworkStream stream, CancellationToken cancel)
    {
        var request = new StringBuilder();
        var buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && request.Length < 16384)
        {
            int read = await stream.ReadAsync(buffer, cancel).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        string[] requestLine = request.ToString().Split("\r\n")[0].Split(' ');
        string path = requestLine.Length > 1 ? requestLine[1].Split('?')[0] : "";
        var (status, contentType, body) = requestLine[0] != "GET" ? ("405 Method Not Allowed", "text/plain", "only GET\n")
            : path == "/metrics" ? ("200 OK", PrometheusText.ContentType, render())
            : ("404 Not Found", "text/plain", "not found; metrics are at /metrics\n");
        byte[] content = Encoding.UTF8.GetBytes(body);
        string head = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancel).ConfigureAwait(false);
        await stream.WriteAsync(content, cancel).ConfigureAwait(false);
    }

    public void Dispose() => server.Dispose();
}
