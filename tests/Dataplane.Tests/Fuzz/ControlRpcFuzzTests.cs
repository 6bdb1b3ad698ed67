using System.Text;
using Dataplane.Fuzz.Targets;
using Dataplane.Tests.Control;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// The control socket's JSON-RPC request parser and every method's parameter validation, and the REST API's
/// bodies, applied to a scratch plane built for the test, through the same <see cref="JsonRpcTarget"/> and
/// <see cref="RestTarget"/> AFL runs. Whatever arrives: nothing throws out of the handler, a
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
        """{"name":"mix","serviceIP":"10.80.0.4","applicationIP":"2001:db8:90::4"}""",
        """{"name":"x","serviceIP":"10.80.0.3","applicationIP":"10.90.0.3","extra":[1,2,{"a":null}]}""",
    ];

    public static List<byte[]> RequestSeeds() => Requests.Select(Encoding.UTF8.GetBytes).ToList();

    /// <summary>The bodies behind every verb and path selector (the first byte of a <see cref="RestTarget"/> input).</summary>
    public static List<byte[]> RestSeeds() =>
        [.. from body in RestBodies
            from verb in Enumerable.Range(0, RestTarget.Verbs.Length)
            from path in Enumerable.Range(0, RestTarget.Paths.Length)
            select (byte[])[RestTarget.Selector(verb, path), .. Encoding.UTF8.GetBytes(body)]];

    [Fact]
    public void The_json_rpc_handler_answers_every_mutated_request()
    {
        var target = new JsonRpcTarget(ScratchControlPlane.Methods(ControlTestConfig.Config()));
        FuzzBudget.Run("json-rpc", RequestSeeds(), 20_000, input => target.Execute(input));

        Assert.True(target.Succeeded > 0, "the unmutated requests must succeed");
    }

    [Fact]
    public void The_rest_api_answers_every_mutated_body()
    {
        var target = new RestTarget(ScratchControlPlane.Methods(ControlTestConfig.Config()));
        FuzzBudget.Run("rest", RestSeeds(), 20_000, input => target.Execute(input));

        Assert.True(target.Accepted > 0, "the unmutated bodies must be accepted");
    }
}
