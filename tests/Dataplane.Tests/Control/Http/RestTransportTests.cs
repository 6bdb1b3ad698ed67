using System.Diagnostics;
using Dataplane.Control.Rest;
using Dataplane.Tests.Control.Rest;

namespace Dataplane.Tests.Control.Http;

/// <summary>
/// The REST API's HTTP behaviour on Kestrel: keep-alive, and the limits that protect the daemon from its clients
/// (connections, request head size, a client that stops sending, body size), each seen on the wire.
/// </summary>
public sealed class RestTransportTests : IDisposable
{
    private static readonly string Auth = $"Authorization: Bearer {RestApiHarness.Token}\r\n";
    private readonly RestApiHarness api = new(clientTimeout: TimeSpan.FromSeconds(2));

    public void Dispose() => api.Dispose();

    [Fact]
    public async Task Two_requests_are_answered_on_one_connection()
    {
        using var raw = await RawHttp.Connect(api.Server.Endpoint);
        string body = RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10").ToJsonString();

        await raw.Send($"POST /service HTTP/1.1\r\nHost: x\r\n{Auth}Content-Length: {body.Length}\r\n\r\n{body}");
        var first = await raw.Receive();
        await raw.Send($"GET /service HTTP/1.1\r\nHost: x\r\n{Auth}\r\n");
        var second = await raw.Receive();

        Assert.Equal(200, first!.Value.Status);
        Assert.DoesNotContain("Connection: close", first.Value.Head, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(body, first.Value.Body);
        Assert.Equal(200, second!.Value.Status);
        Assert.Equal("[" + body + "]", second.Value.Body);
    }

    [Fact]
    public async Task Errors_keep_the_connection_too()
    {
        using var raw = await RawHttp.Connect(api.Server.Endpoint);

        await raw.Send("GET /service HTTP/1.1\r\nHost: x\r\n\r\n");
        var unauthorized = await raw.Receive();
        await raw.Send($"GET /nothing HTTP/1.1\r\nHost: x\r\n{Auth}\r\n");
        var notFound = await raw.Receive();
        await raw.Send($"PATCH /tunnel HTTP/1.1\r\nHost: x\r\n{Auth}\r\n");
        var notAllowed = await raw.Receive();

        Assert.Equal(401, unauthorized!.Value.Status);
        Assert.Contains("WWW-Authenticate: Bearer realm=\"dataplane\"", unauthorized.Value.Head, StringComparison.Ordinal);
        Assert.Equal(404, notFound!.Value.Status);
        Assert.Equal("""{"error":"no such resource: /nothing; see /openapi.json"}""", notFound.Value.Body);
        Assert.Equal(405, notAllowed!.Value.Status);
        Assert.Contains("Allow: GET\r\n", notAllowed.Value.Head + "\r\n", StringComparison.Ordinal);
        Assert.Equal("""{"error":"method not allowed; allowed: GET"}""", notAllowed.Value.Body);
    }

    [Fact]
    public async Task A_connection_over_the_limit_is_closed_and_one_is_served_again_once_another_closes()
    {
        using var patient = new RestApiHarness(); // 10 s before idle connections close: the 64 stay open while this runs
        var open = new List<RawHttp>();
        try
        {
            for (int i = 0; i < RestApiServer.MaxConnections; i++)
            {
                var raw = await RawHttp.Connect(patient.Server.Endpoint);
                open.Add(raw);
                await raw.Send($"GET /service HTTP/1.1\r\nHost: x\r\n{Auth}\r\n");
                Assert.Equal(200, (await raw.Receive())!.Value.Status); // accepted and counted
            }

            using (var over = await RawHttp.Connect(patient.Server.Endpoint))
            {
                await SendIgnoringReset(over, $"GET /service HTTP/1.1\r\nHost: x\r\n{Auth}\r\n");
                Assert.True(await over.IsClosed(), "connection 65 was served");
            }

            open[0].Dispose();
            open.RemoveAt(0);
            Assert.True(await ServedWithin(patient, TimeSpan.FromSeconds(5)), "no connection was served after one of the 64 closed");
        }
        finally
        {
            open.ForEach(raw => raw.Dispose());
        }
    }

    [Fact]
    public async Task A_request_head_over_16_KiB_is_431()
    {
        using var raw = await RawHttp.Connect(api.Server.Endpoint);

        await raw.Send($"GET /service HTTP/1.1\r\nHost: x\r\n{Auth}X-Pad: {new string('x', RestApiServer.MaxHeadBytes)}\r\n\r\n");
        var answer = await raw.Receive();

        Assert.Equal(431, answer!.Value.Status);
        Assert.True(await raw.IsClosed());
    }

    [Fact]
    public async Task A_client_that_stops_sending_its_body_is_answered_408_and_cut_off()
    {
        using var raw = await RawHttp.Connect(api.Server.Endpoint);
        var started = Stopwatch.StartNew();

        await raw.Send($"POST /service HTTP/1.1\r\nHost: x\r\n{Auth}Content-Length: 100\r\n\r\n{{\"name\":");
        var answer = await raw.Receive();

        Assert.Equal(408, answer!.Value.Status);
        Assert.True(await raw.IsClosed());
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Empty(api.Services.All);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_client_timeout()
    {
        using var raw = await RawHttp.Connect(api.Server.Endpoint);
        await raw.Send($"GET /service HTTP/1.1\r\nHost: x\r\n{Auth}\r\n");
        Assert.Equal(200, (await raw.Receive())!.Value.Status);
        var idle = Stopwatch.StartNew();

        Assert.True(await raw.IsClosed());
        Assert.InRange(idle.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(RestApiServer.MaxBodyBytes, "body.pad: unknown parameter")]
    [InlineData(RestApiServer.MaxBodyBytes + 1, "body of 65537 bytes is over the 65536-byte limit")]
    public async Task A_body_of_64_KiB_is_read_and_one_byte_more_is_refused_unread(int size, string error)
    {
        string start = """{"name":"big","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1","pad":" """.TrimEnd();
        string body = start + new string('x', size - start.Length - 2) + "\"}";
        Assert.Equal(size, body.Length);

        var (status, answer) = await api.Send(HttpMethod.Post, "/service", body);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        Assert.StartsWith(error, answer!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task SendIgnoringReset(RawHttp raw, string request)
    {
        try
        {
            await raw.Send(request);
        }
        catch (IOException)
        {
            // Already closed by the server: what the test expects.
        }
    }

    private static async Task<bool> ServedWithin(RestApiHarness server, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            using var raw = await RawHttp.Connect(server.Server.Endpoint);
            await SendIgnoringReset(raw, $"GET /service HTTP/1.1\r\nHost: x\r\n{Auth}\r\n");
            try
            {
                if (await raw.Receive() is { Status: 200 })
                {
                    return true;
                }
            }
            catch (IOException)
            {
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return false;
    }
}
