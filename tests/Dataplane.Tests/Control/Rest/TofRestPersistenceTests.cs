using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net;
using Dataplane.Control.Persistence;
using Dataplane.Control;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Control.Rest;

/// <summary>Service registrations made over REST survive a crash (journal) and a clean stop (snapshot).</summary>
public sealed class TofRestPersistenceTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("dpc-tof-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task After_a_crash_a_new_server_on_the_same_directory_lists_the_same_services()
    {
        string expected;
        using (var first = new RestApiHarness(directory))
        {
            await first.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));
            await first.Post(RestApiHarness.Service("cache", "198.51.100.11", "10.200.0.11"));
            await first.Post(RestApiHarness.Service("gone", "198.51.100.12", "10.200.0.12"));
            await first.Send(HttpMethod.Put, "/service/video", RestApiHarness.Service("video", "198.51.100.20", "10.200.0.20").ToJsonString());
            await first.Send(HttpMethod.Delete, "/service/gone");
            await first.Post(RestApiHarness.Service("video", "198.51.100.30", "10.200.0.30")); // 409: not journaled
            expected = await first.ListText();
            Assert.Equal(5, File.ReadAllLines(Path.Combine(directory, StateStore.JournalName)).Length);
        } // the store is closed without a snapshot, as after kill -9

        using var second = new RestApiHarness(directory);

        Assert.Equal(expected, await second.ListText());
        Assert.Equal(2, second.Services.All.Count);
        Assert.Empty(second.Reports);
    }

    [Fact]
    public async Task The_daemon_host_serves_the_api_and_restores_services_after_a_clean_stop()
    {
        var config = new ControlConfig { StateDirectory = directory, RestAddress = $"127.0.0.1:{FreePort()}", RestToken = RestApiHarness.Token };
        var services = new TofServiceTable();
        using (var host = ControlHost.Create(config, Plane(), _ => { }, services))
        {
            host.Start(null);
            using var client = new HttpClient { BaseAddress = new Uri($"http://{config.RestAddress}") };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RestApiHarness.Token);
            using var response = await client.PostAsync(new Uri("/service", UriKind.Relative),
                RestApiHarness.Body(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10").ToJsonString()), RestApiHarness.Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Single(services.All);
        } // clean stop: snapshot written, journal emptied

        Assert.Equal(0, new FileInfo(Path.Combine(directory, StateStore.JournalName)).Length);
        var restored = new TofServiceTable();
        using var again = ControlHost.Create(config, Plane(), _ => { }, restored);

        Assert.Equal(new TofService("video", Dataplane.Wire.Addresses.Ipv4Address.Parse("198.51.100.10"), Dataplane.Wire.Addresses.Ipv4Address.Parse("10.200.0.10")), Assert.Single(restored.All));
    }

    [Fact]
    public void A_token_file_is_read_and_a_missing_one_is_a_configuration_error()
    {
        string tokenFile = Path.Combine(directory, "token");
        File.WriteAllText(tokenFile, RestApiHarness.Token + "\n");

        Assert.Equal(RestApiHarness.Token, new ControlConfig { RestAddress = "127.0.0.1:8080", RestTokenFile = tokenFile }.ReadRestToken());
        var error = Assert.Throws<ConfigurationException>(() => new ControlConfig { RestAddress = "127.0.0.1:8080", RestTokenFile = tokenFile + ".missing" }.ReadRestToken());
        Assert.Equal("control.restTokenFile", error.Field);
        File.WriteAllText(tokenFile, "short\n");
        Assert.Contains("at least 16", Assert.Throws<ConfigurationException>(() => new ControlConfig { RestTokenFile = tokenFile }.ReadRestToken()).Problem, StringComparison.Ordinal);
    }

    private static ForwardingPlane Plane() =>
        ForwardingPlaneBuilder.Build(ControlTestConfig.Config(), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
