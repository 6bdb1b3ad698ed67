using System.Net;
using System.Net.Sockets;
using System.Text;
using Dataplane.Control.Logging;

namespace Dataplane.Control.Metrics;

/// <summary>
/// A minimal HTTP/1.1 server for Prometheus: GET /metrics answers the text format, any other path 404, any other
/// method 405; one request per connection (Connection: close), which is how Prometheus scrapes anyway. Built on
/// TcpListener so it needs no URL ACLs and no extra package.
/// </summary>
public sealed class MetricsServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly Func<string> render;
    private readonly CancellationTokenSource stop = new();
    private Task? acceptLoop;

    /// <param name="host">An address, a name to resolve, or "*" for every address.</param>
    public MetricsServer(string host, int port, Func<string> render)
    {
        this.render = render;
        var address = host == "*" ? IPAddress.IPv6Any
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : Dns.GetHostAddresses(host).First();
        listener = new TcpListener(address, port);
        if (host == "*")
        {
            listener.Server.DualMode = true;
        }

        listener.Start();
    }

    /// <summary>Where it listens (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint Endpoint => (IPEndPoint)listener.LocalEndpoint;

    public void Start() => acceptLoop = Task.Run(AcceptLoop);

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var stream = client.GetStream();
            var request = new StringBuilder();
            var buffer = new byte[4096];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && request.Length < 16384)
            {
                int read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
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
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token).ConfigureAwait(false);
            await stream.WriteAsync(content, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            DaemonLog.Debug($"metrics: a scrape failed: {e.Message}");
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        acceptLoop?.Wait(TimeSpan.FromSeconds(2));
        stop.Dispose();
    }
}
