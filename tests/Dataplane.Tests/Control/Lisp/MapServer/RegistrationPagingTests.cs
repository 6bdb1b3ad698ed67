using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Lisp;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp.MapServer;

/// <summary>
/// lisp.registrations pages through a map-server's registrations (offset, limit, prefix) and lisp.registration-count
/// counts them, through the control methods with the control plane on its own thread; bad values are refused naming
/// the field.
/// </summary>
public sealed class RegistrationPagingTests
{
    private const string Config = """
        {
          "roles": ["msmr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:01:00", "addresses": ["192.0.2.100"] } ],
          "lisp": {
            "localRlocs": [ { "address": "192.0.2.100" } ],
            "mappingSystem": { "sites": [ { "name": "lab", "key": "lab-key", "eidPrefixes": ["10.0.0.0/8", "[7]10.0.0.0/8"] } ] }
          }
        }
        """;

    [Fact]
    public void PagesComeInPrefixOrderAndTogetherHoldEveryRegistrationOnce()
    {
        var (methods, control, stop) = MapServer();
        try
        {
            // 2500 prefixes: /24s in instance 0 and 7, registered in a shuffled order.
            var prefixes = Enumerable.Range(0, 2500).Select(i => EidPrefix.Create(i % 2 == 0 ? 0u : 7u, new IpAddress(new Ipv4Address(0x0A00_0000u + ((uint)i << 8))), 24))
                .OrderBy(p => p.GetHashCode()).ToList();
            ulong nonce = 1;
            foreach (var chunk in prefixes.Chunk(50))
            {
                Register(control, chunk, nonce++);
            }

            Assert.Equal(2500, Count(methods, new JsonObject()));
            var firstPage = Page(methods, new JsonObject());
            Assert.Equal(1000, firstPage.Count); // the default limit
            var all = new List<string>();
            for (int offset = 0; ; offset += 700)
            {
                var page = Page(methods, new JsonObject { ["offset"] = offset, ["limit"] = 700 });
                all.AddRange(page);
                if (page.Count < 700)
                {
                    break;
                }
            }

            // Instance 0 before 7, each by address: the order a reader expects, from the prefixes themselves.
            var expected = prefixes.OrderBy(p => p.InstanceId).ThenBy(p => p.Address.Value).Select(p => p.ToString()).ToList();
            Assert.Equal(expected, all);
            Assert.Equal(expected.Take(1000), firstPage);

            var inside = Page(methods, new JsonObject { ["prefix"] = "[7]10.0.0.0/16", ["limit"] = 10_000 });
            Assert.Equal(expected.Where(e => e.StartsWith("[7]10.0.", StringComparison.Ordinal)), inside);
            Assert.Equal(inside.Count, Count(methods, new JsonObject { ["prefix"] = "[7]10.0.0.0/16" }));
            Assert.Empty(Page(methods, new JsonObject { ["offset"] = 2500 }));
        }
        finally
        {
            stop();
        }
    }

    [Theory]
    [InlineData("""{"limit":0}""", "params.limit")]
    [InlineData("""{"limit":10001}""", "params.limit")]
    [InlineData("""{"offset":-1}""", "params.offset")]
    [InlineData("""{"offset":"ten"}""", "params.offset")]
    [InlineData("""{"prefix":"10.0.0.1/8"}""", "params.prefix")]
    [InlineData("""{"prefix":7}""", "params.prefix")]
    [InlineData("""{"page":1}""", "params.page")]
    public void BadPagingValuesAreRefusedNamingTheField(string parameters, string field)
    {
        var (methods, _, stop) = MapServer();
        try
        {
            var error = Assert.Throws<ControlRpcException>(() => methods.Invoke("lisp.registrations", JsonDocument.Parse(parameters).RootElement.Clone()));
            Assert.Equal(JsonRpcErrorCodes.InvalidParams, error.Code);
            Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            stop();
        }
    }

    private static List<string> Page(ControlMethods methods, JsonObject parameters) =>
        [.. methods.Invoke("lisp.registrations", JsonDocument.Parse(parameters.ToJsonString()).RootElement.Clone())!.AsArray().Select(r => r!["eid"]!.GetValue<string>())];

    private static int Count(ControlMethods methods, JsonObject parameters) =>
        methods.Invoke("lisp.registration-count", JsonDocument.Parse(parameters.ToJsonString()).RootElement.Clone())!["count"]!.GetValue<int>();

    private static void Register(LispControlPlane control, IEnumerable<EidPrefix> prefixes, ulong nonce)
    {
        var records = prefixes.Select(p => new MappingRecord(3, LispAddressing.ToLisp(p), MappingAction.NoAction, true, 0,
            [new LocatorRecord(1, 100, 255, 0, true, false, true, LispAddress.Ipv4(new Ipv4Address(0xC000_0201)))])).ToList();
        var register = new MapRegister(nonce, 2, new byte[32], records);
        var bytes = new byte[register.Size];
        register.WriteSigned(bytes, Encoding.UTF8.GetBytes("lab-key"));
        control.Call(() =>
        {
            control.HandleDatagram(new UdpDatagram(IpAddress.Parse("192.0.2.1"), IpAddress.Parse("192.0.2.100"), 4342, 4342, bytes));
            return 0;
        }, TimeSpan.FromSeconds(30));
    }

    /// <summary>A map-server's control methods, its control plane ticked by a thread of its own as the daemon's control thread does.</summary>
    private static (ControlMethods Methods, LispControlPlane Control, Action Stop) MapServer()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Config), new ForwardingPlaneOptions { Clock = new ManualClock(1000) });
        var control = LispControlPlane.Create(plane, _ => true, () => Environment.TickCount64)!;
        var methods = new ControlMethods(plane);
        methods.Context.LispControl = control;
        using var started = new ManualResetEventSlim();
        var running = new CancellationTokenSource();
        var thread = new Thread(() =>
        {
            started.Set();
            while (!running.IsCancellationRequested)
            {
                control.OnTick(Environment.TickCount64);
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "control" };
        thread.Start();
        started.Wait();
        return (methods, control, () =>
        {
            running.Cancel();
            thread.Join();
        });
    }
}
