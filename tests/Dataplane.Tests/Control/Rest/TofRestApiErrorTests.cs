using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Dataplane.Tests.Control.Rest;

/// <summary>Every error the TOF REST API answers: its status, its JSON message, and that nothing changed.</summary>
public sealed class TofRestApiErrorTests : IDisposable
{
    private readonly RestApiHarness api = new(clientTimeout: TimeSpan.FromSeconds(1));

    public void Dispose() => api.Dispose();

    [Theory]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1"}""", "body.applicationIP: missing; expected a string")]
    [InlineData("""{"serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""", "body.name: missing")]
    [InlineData("""{"name":"x","serviceIP":5,"applicationIP":"10.200.0.1"}""", "body.serviceIP: expected a string, got a number")]
    [InlineData("""{"name":7,"serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""", "body.name: expected a string")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.300","applicationIP":"10.200.0.1"}""", "body.serviceIP: '198.51.100.300' is not an IPv4 address")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applicationIP":"2001:db8::1"}""", "body.applicationIP: 2001:db8::1 is IPv6 and the serviceIP IPv4: both must be of one family")]
    [InlineData("""{"name":"x","serviceIP":"2001:db8:5::1","applicationIP":"10.200.0.1"}""", "body.applicationIP: 10.200.0.1 is IPv4 and the serviceIP IPv6: both must be of one family")]
    [InlineData("""{"name":"x","serviceIP":"2001:db8:5::1","applicationIP":"2001:DB8:5:0::1"}""", "body.applicationIP: 2001:db8:5::1 is the serviceIP too")]
    [InlineData("""{"name":"x","serviceIP":"ff02::1","applicationIP":"2001:db8::1"}""", "body.serviceIP: ff02::1 is not a unicast address (ff00::/8 is multicast)")]
    [InlineData("""{"name":"x","serviceIP":"2001:db8:5::1","applicationIP":"fe80::1"}""", "body.applicationIP: fe80::1 is not a unicast address (fe80::/10 is link-local")]
    [InlineData("""{"name":"x","serviceIP":"::","applicationIP":"2001:db8::1"}""", "body.serviceIP: :: is not a unicast address")]
    [InlineData("""{"name":"x","serviceIP":"::1","applicationIP":"2001:db8::1"}""", "body.serviceIP: ::1 is not a unicast address")]
    [InlineData("""{"name":"x","serviceIP":"::ffff:198.51.100.1","applicationIP":"2001:db8::1"}""", "body.serviceIP: ::ffff:198.51.100.1 is not a unicast address (::ffff:0:0/96 is IPv4-mapped")]
    [InlineData("""{"name":"x","serviceIP":"2001:db8::g","applicationIP":"2001:db8::1"}""", "body.serviceIP: '2001:db8::g' is not an IPv4 address (a.b.c.d) or an IPv6 address")]
    [InlineData("""{"name":"x","serviceIP":"224.0.0.1","applicationIP":"10.200.0.1"}""", "body.serviceIP: 224.0.0.1 is not a unicast address")]
    [InlineData("""{"name":"x","serviceIP":"0.0.0.0","applicationIP":"10.200.0.1"}""", "body.serviceIP: 0.0.0.0 is not a unicast address")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applicationIP":"198.51.100.1"}""", "body.applicationIP: 198.51.100.1 is the serviceIP too")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1","port":80}""", "body.port: unknown parameter")]
    [InlineData("""{"name":"a/b","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""", "body.name: 'a/b' has '/'")]
    [InlineData("""{"name":"","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""", "body.name: must be 1..64 characters")]
    [InlineData("""{"name":"10.0.0.1","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""", "body.name: '10.0.0.1' is an IPv4 address")]
    [InlineData("""{"name":"x","name":"y","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""", "body: not JSON")]
    [InlineData("""{"name":"x",""", "body: not JSON")]
    [InlineData("""[]""", "body: expected an object, got an array")]
    [InlineData("""null""", "body: expected an object, got null")]
    [InlineData("", "body: missing; expected a JSON object")]
    public async Task A_bad_post_body_is_400_naming_the_problem_and_changes_nothing(string body, string message)
    {
        await api.Post(RestApiHarness.Service("keep", "198.51.100.99", "10.200.0.99"));
        string before = await api.ListText();
        string dump = api.Methods.DumpState();

        var (status, error) = await api.Send(HttpMethod.Post, "/service", body);
        var (putStatus, putError) = await api.Send(HttpMethod.Put, "/service/keep", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(message, error!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, putStatus);
        Assert.StartsWith(message, putError!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, await api.ListText());
        Assert.Equal(dump, api.Methods.DumpState());
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_400_and_changes_nothing()
    {
        string body = RestApiHarness.Service("big", "198.51.100.1", "10.200.0.1").ToJsonString()[..^1] + ",\"pad\":\"" + new string('x', 70 * 1024) + "\"}";

        var (status, error) = await api.Send(HttpMethod.Post, "/service", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("over the 65536-byte limit", error!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("[]", await api.ListText());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-0123456789abcdef")]
    [InlineData(RestApiHarness.Token + "x")]
    [InlineData("")]
    public async Task A_missing_or_wrong_token_is_401_on_every_path_and_changes_nothing(string? token)
    {
        using var client = api.NewClient(token is "" ? null : token);
        if (token is "")
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", RestApiHarness.Token);
        }

        var (get, error) = await api.Send(HttpMethod.Get, "/service", client: client);
        var (post, _) = await api.Send(HttpMethod.Post, "/service", RestApiHarness.Service("x", "198.51.100.1", "10.200.0.1").ToJsonString(), client);
        var (unknown, _) = await api.Send(HttpMethod.Get, "/nothing", client: client);
        var (openApi, _) = await api.Send(HttpMethod.Get, "/openapi.json", client: client);
        using var raw = await client.GetAsync(new Uri("/tunnel", UriKind.Relative), RestApiHarness.Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, get);
        Assert.Contains("bearer token", error!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, post);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown);
        Assert.Equal(HttpStatusCode.Unauthorized, openApi);
        Assert.Equal(HttpStatusCode.Unauthorized, raw.StatusCode);
        Assert.Equal("Bearer", raw.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(api.Services.All);
    }

    [Theory]
    [InlineData("PUT", "/service/nosuch")]
    [InlineData("DELETE", "/service/nosuch")]
    [InlineData("DELETE", "/service/203.0.113.9")]
    [InlineData("GET", "/nothing")]
    [InlineData("GET", "/service/keep/more")]
    public async Task An_unknown_service_or_path_is_404_and_changes_nothing(string method, string path)
    {
        await api.Post(RestApiHarness.Service("keep", "198.51.100.99", "10.200.0.99"));
        string before = await api.ListText();

        var (status, error) = await api.Send(new HttpMethod(method), path, method == "PUT" ? RestApiHarness.Service("other", "198.51.100.1", "10.200.0.1").ToJsonString() : null);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(string.IsNullOrEmpty(error!["error"]!.GetValue<string>()));
        Assert.Equal(before, await api.ListText());
    }

    [Theory]
    [InlineData("POST", "/service", "a", "198.51.100.50", "name 'a' is taken")]
    [InlineData("POST", "/service", "c", "198.51.100.2", "serviceIP 198.51.100.2 is taken by 'b'")]
    [InlineData("PUT", "/service/a", "a", "198.51.100.2", "serviceIP 198.51.100.2 is taken by 'b'")]
    [InlineData("PUT", "/service/a", "b", "198.51.100.1", "name 'b' is taken")]
    public async Task A_taken_name_or_service_ip_is_409_and_changes_nothing(string method, string path, string name, string serviceIp, string message)
    {
        await api.Post(RestApiHarness.Service("a", "198.51.100.1", "10.200.0.1"));
        await api.Post(RestApiHarness.Service("b", "198.51.100.2", "10.200.0.2"));
        string before = await api.ListText();

        var (status, error) = await api.Send(new HttpMethod(method), path, RestApiHarness.Service(name, serviceIp, "10.200.0.9").ToJsonString());

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(message, error!["error"]!.GetValue<string>());
        Assert.Equal(before, await api.ListText());
    }

    [Fact]
    public async Task A_wrong_method_is_405_with_allow()
    {
        using var response = await api.Client.DeleteAsync(new Uri("/service", UriKind.Relative), RestApiHarness.Cancel);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "POST"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_chunked_body_is_400()
    {
        string answer = await Raw(
            "POST /service HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + RestApiHarness.Token + "\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("chunked bodies are not supported", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expect_100_continue_gets_continue_then_the_answer()
    {
        string body = RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10").ToJsonString();
        using var client = new TcpClient();
        await client.ConnectAsync(api.Server.Endpoint, RestApiHarness.Cancel);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /service HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {RestApiHarness.Token}\r\nContent-Length: {body.Length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"), RestApiHarness.Cancel);
        var buffer = new byte[256];
        int read = await stream.ReadAsync(buffer, RestApiHarness.Cancel);
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Encoding.ASCII.GetString(buffer, 0, read));

        await stream.WriteAsync(Encoding.ASCII.GetBytes(body), RestApiHarness.Cancel);
        using var reader = new StreamReader(stream);
        string answer = await reader.ReadToEndAsync(RestApiHarness.Cancel);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.Single(api.Services.All);
    }

    [Fact]
    public async Task An_oversize_body_announced_with_expect_100_continue_is_refused_before_it_is_sent()
    {
        string answer = await Raw(
            "POST /service HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + RestApiHarness.Token + "\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("body of 100000 bytes is over the 65536-byte limit", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_bodies_are_plain_readable_json()
    {
        await api.Post(RestApiHarness.Service("a", "198.51.100.1", "10.200.0.1"));
        string body = RestApiHarness.Service("a", "198.51.100.2", "10.200.0.2").ToJsonString();

        string answer = await Raw(
            $"POST /service HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {RestApiHarness.Token}\r\nContent-Length: {body.Length}\r\n\r\n{body}");

        Assert.StartsWith("HTTP/1.1 409 Conflict\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"error\":\"name 'a' is taken\"}", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_posts_of_one_service_ip_register_exactly_one()
    {
        var posts = Enumerable.Range(0, 16).Select(i => api.Post(RestApiHarness.Service($"s{i}", "198.51.100.1", $"10.200.0.{i + 1}"))).ToList();

        var results = await Task.WhenAll(posts);

        Assert.Equal(1, results.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(15, results.Count(r => r.Status == HttpStatusCode.Conflict));
        Assert.Single(api.Services.All);
    }

    [Fact]
    public async Task A_client_that_stops_mid_request_is_answered_408_and_cut_off()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(api.Server.Endpoint, RestApiHarness.Cancel);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /service HTTP/1.1\r\nHost: x\r\n"u8.ToArray(), RestApiHarness.Cancel);
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var reader = new StreamReader(stream);
        string answer = await reader.ReadToEndAsync(RestApiHarness.Cancel);

        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", answer, StringComparison.Ordinal);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
    }

    /// <summary>Sends one request asking the server to close the connection after its answer, and reads that answer.</summary>
    private async Task<string> Raw(string request)
    {
        int firstLineEnd = request.IndexOf("\r\n", StringComparison.Ordinal) + 2;
        request = request[..firstLineEnd] + "Connection: close\r\n" + request[firstLineEnd..];
        using var client = new TcpClient();
        await client.ConnectAsync(api.Server.Endpoint, RestApiHarness.Cancel);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), RestApiHarness.Cancel);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(RestApiHarness.Cancel);
    }
}
