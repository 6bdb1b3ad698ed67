using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dataplane.Tests.Control.Http;

/// <summary>
/// HTTP/1.1 by hand on one TCP connection, to see what HttpClient hides: whether a connection is reused, what the
/// server sends before closing, and when it closes.
/// </summary>
public sealed class RawHttp : IDisposable
{
    private readonly TcpClient client = new();
    private readonly byte[] buffer = new byte[256 * 1024];
    private int filled;

    private RawHttp()
    {
    }

    public static async Task<RawHttp> Connect(IPEndPoint endpoint)
    {
        var raw = new RawHttp();
        await raw.client.ConnectAsync(endpoint, TestContext.Current.CancellationToken);
        return raw;
    }

    public NetworkStream Stream => client.GetStream();

    public Task Send(string text) => Stream.WriteAsync(Encoding.ASCII.GetBytes(text), TestContext.Current.CancellationToken).AsTask();

    /// <summary>One response (head and Content-Length body); null when the server closed the connection first.</summary>
    public async Task<(int Status, string Head, string Body)?> Receive()
    {
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await Fill())
            {
                return null;
            }
        }

        string head = Encoding.ASCII.GetString(buffer, 0, headEnd);
        int length = 0;
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        int total = headEnd + 4 + length;
        while (filled < total)
        {
            if (!await Fill())
            {
                return null;
            }
        }

        string body = Encoding.UTF8.GetString(buffer, headEnd + 4, length);
        buffer.AsSpan(total, filled - total).CopyTo(buffer);
        filled -= total;
        return (int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture), head, body);
    }

    /// <summary>True when the server closed (or reset) the connection with nothing more to read.</summary>
    public async Task<bool> IsClosed()
    {
        try
        {
            return filled == 0 && !await Fill();
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> Fill()
    {
        int read = await Stream.ReadAsync(buffer.AsMemory(filled), TestContext.Current.CancellationToken);
        filled += read;
        return read > 0;
    }

    public void Dispose() => client.Dispose();
}
