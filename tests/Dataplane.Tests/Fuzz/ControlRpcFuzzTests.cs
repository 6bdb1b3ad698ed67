using System.Text;
using System.Text.Json;
using Dataplane.Control.Rest;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Tables.MapCache;
using Dataplane.Tests.Control;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// The control socket's JSON-RPC request parser and every method's parameter validation, and the REST API's
/// bodies, applied to a scratch plane built for the test. Whatever arrives: nothing throws out of the handler, a
/// request with an id gets exactly one JSON-RPC 2.0 object back, and no request reaches the -32603 "internal
/// error" path (that path means an exception escaped a method's validation: a bug the fuzzer reports).
/// </summary>
public class ControlRpcFuzzTests
{
    private static readonly string[] Requests =
    [
        """{"jsonrpc":"2.0","id":1,"method":"localeid.add","params":{"eid":"[7]10.7.0.0/24"}}""",
        """{"jsonrpc":"2.0","id":2,"method":"localeid.remove","params":{"eid":"[7]10.7.0.0/24"}}""",
        """{"jsonrpc":"2.0","id":3,"method":"mapcache.add","params":{"eid":"[7]10.9.0.0/16","locators":[{"address":"198.51.100.9","priority":2,"weight":40,"up":false}],"ttlMinutes":30}}""",
        """{"jsonrpc":"2.0","id":"x","method":"mapcache.remove","params":{"eid":"[7]10.9.0.0/16"}}""",
        """{"jsonrpc":"2.0","id":4,"method":"neighbour.add","params":{"address":"192.0.2.77","mac":"02:00:00:00:77:77","port":"rloc-side"}}""",
        """{"jsonrpc":"2.0","id":5,"method":"neighbour.remove","params":{"address":"192.0.2.77"}}""",
        """{"jsonrpc":"2.0","id":6,"method":"tunnel.add","params":{"name":"ue2","localAddress":"192.0.2.1","peerAddress":"192.0.2.11","teidIn":300,"teidOut":600,"ueAddress":"10.45.0.0/24","instanceId":7,"qfi":5}}""",
        """{"jsonrpc":"2.0","id":7,"method":"tunnel.remove","params":{"name":"ue2"}}""",
        """{"jsonrpc":"2.0","id":8,"method":"service.add","params":{"name":"web","serviceIP":"10.80.0.1","applicationIP":"10.90.0.1"}}""",
        """{"jsonrpc":"2.0","id":9,"method":"service.update","params":{"name":"web","service":{"name":"web","serviceIP":"10.80.0.2","applicationIP":"10.90.0.2"}}}""",
        """{"jsonrpc":"2.0","id":10,"method":"service.remove","params":{"nameOrServiceIp":"web"}}""",
        """{"jsonrpc":"2.0","id":11,"method":"mapcache.list","params":{"instanceId":7}}""",
        """{"jsonrpc":"2.0","id":12,"method":"counters.get"}""",
        """{"jsonrpc":"2.0","id":13,"method":"state.dump"}""",
        """{"jsonrpc":"2.0","id":14,"method":"lisp.rlocs"}""",
        """{"jsonrpc":"2.0","id":null,"method":"vxlan.list","params":[]}""",
        """{"jsonrpc":"2.0","method":"localeid.list"}""",
    ];

    private static readonly string[] RestBodies =
    [
        """{"name":"web","serviceIP":"10.80.0.1","applicationIP":"10.90.0.1"}""",
        """{"name":"db","serviceIP":"2001:db8:80::1","applicationIP":"2001:db8:90::1"}""",
        """{"name":"x","serviceIP":"10.80.0.3","applicationIP":"10.90.0.3","extra":[1,2,{"a":null}]}""",
    ];

    public static List<byte[]> RequestSeeds() => Requests.Select(Encoding.UTF8.GetBytes).ToList();

    public static List<byte[]> RestSeeds() => RestBodies.Select(Encoding.UTF8.GetBytes).ToList();

    [Fact]
    public void The_json_rpc_handler_answers_every_mutated_request()
    {
        var methods = ScratchMethods();
        var handler = new JsonRpcHandler(methods);
        int succeeded = 0;
        FuzzBudget.Run("json-rpc", RequestSeeds(), 20_000, input =>
        {
            string? reply = handler.Handle(input);
            if (reply is null)
            {
                return; // a notification, or a request the handler read as one
            }

            using var document = JsonDocument.Parse(reply);
            var root = document.RootElement;
            Assert.Equal("2.0", root.GetProperty("jsonrpc").GetString());
            if (root.TryGetProperty("error", out var error))
            {
                Assert.NotEqual(JsonRpcErrorCodes.InternalError, error.GetProperty("code").GetInt32());
            }
            else
            {
                Assert.True(root.TryGetProperty("result", out _), reply);
                succeeded++;
            }
        });

        Assert.True(succeeded > 0, "the unmutated requests must succeed");
    }

    [Fact]
    public void The_rest_api_answers_every_mutated_body()
    {
        var methods = ScratchMethods();
        var api = new TofRestApi(methods);
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json" };
        string[] paths = ["/service", "/service/web", "/service/10.80.0.1", "/service/%zz", "/tunnel", "/nowhere"];
        string[] verbs = ["POST", "PUT", "GET", "DELETE"];
        int created = 0;
        int call = 0;
        FuzzBudget.Run("rest", RestSeeds(), 20_000, input =>
        {
            string verb = verbs[call % verbs.Length];
            string path = paths[(call / verbs.Length) % paths.Length];
            call++;
            var response = api.Handle(new RestRequest(verb, path, headers, input));
            // 500 would mean an exception escaped validation; 503 is the documented "no tunnel source" of GET /tunnel.
            Assert.True(response.Status is >= 200 and < 500 || (response.Status == 503 && path == "/tunnel"), $"{verb} {path}: {response.Status} {response.Body}");
            using var body = JsonDocument.Parse(response.Body);
            if (response.Status is 200 or 201)
            {
                created++;
            }
        });

        Assert.True(created > 0, "the unmutated bodies must be accepted");
    }

    private static ControlMethods ScratchMethods()
    {
        var plane = ForwardingPlaneBuilder.Build(ControlTestConfig.Config(), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        var methods = new ControlMethods(plane);
        methods.Context.TofServices = new TofServiceTable();
        return methods;
    }
}
