using System.Net;
using System.Net.Sockets;
using Dataplane.Control.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dataplane.Control.Net;

/// <summary>
/// The TCP side of the daemon's small HTTP servers (metrics, REST): listen on a host and port ("*" = every address,
/// IPv4 and IPv6), accept on its own task, serve each connection on its own task with a deadline, refuse
/// connections over a cap. What to do with a connection is the owner's; one exchange per connection.
/// </summary>
internal sealed class TcpConnectionServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly Func<NetworkStream, CancellationToken, Task> serve;
    private readonly ILogger logger;
    private readonly TimeSpan clientTimeout;
    private readonly int maxConnections;
    private readonly CancellationTokenSource stop = new();
    private Task? acceptLoop;
    private int connections;

    /// <param name="host">An address, a name to resolve, or "*" for every address.</param>
    /// <param name="serve">Handles one connection; the token fires at the client deadline or at shutdown.</param>
    /// <param name="logger">The owner's (category Rest or Metrics); none = silent.</param>
    public TcpConnectionServer(string host, int port, TimeSpan clientTimeout, int maxConnections,
        Func<NetworkStream, CancellationToken, Task> serve, ILogger? logger = null)
    {
        this.logger = logger ?? NullLogger.Instance;
        this.clientTimeout = clientTimeout;
        this.maxConnections = maxConnections;
        this.serve = serve;
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

            if (Interlocked.Increment(ref connections) > maxConnections)
            {
                Interlocked.Decrement(ref connections);
                HttpLog.ConnectionRefused(logger, maxConnections);
                client.Dispose();
                continue;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await Serve(client).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref connections);
                }
            });
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            deadline.CancelAfter(clientTimeout);
            await serve(client.GetStream(), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            HttpLog.ClientCutOff(logger, e.Message);
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
