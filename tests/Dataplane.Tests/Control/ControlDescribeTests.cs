using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Tables.Time;
using Dataplane.Tests.Vxlan;

namespace Dataplane.Tests.Control;

/// <summary>
/// rpc.describe against the methods the control socket really has: every method any factory of the control assembly
/// makes is described, every described parameter is read by its method (a wrong value for it is refused naming it),
/// and a parameter a method does not describe is refused.
/// </summary>
public sealed class ControlDescribeTests
{
    /// <summary>A value of the wrong JSON type for a parameter of <paramref name="type"/>.</summary>
    private static JsonNode WrongValue(string type) => type switch
    {
        ControlParameterType.Integer => "twelve",
        ControlParameterType.Boolean => "yes",
        _ => 12345, // strings, prefixes, addresses, MACs, objects and arrays are never a number
    };

    [Fact]
    public void Rpc_describe_lists_every_method_the_control_assembly_registers()
    {
        var methods = LispPlaneMethods();
        var factories = typeof(ControlMethods).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(IEnumerable<ControlMethod>))
            .ToList();
        Assert.True(factories.Count >= 9, $"only {factories.Count} method factories found: {string.Join(", ", factories.Select(f => f.DeclaringType!.Name))}");
        var made = new HashSet<string>(StringComparer.Ordinal);
        foreach (var factory in factories)
        {
            object argument = factory.GetParameters().Single().ParameterType == typeof(ControlMethods) ? methods : methods.Context;
            foreach (var method in (IEnumerable<ControlMethod>)factory.Invoke(null, [argument])!)
            {
                made.Add(method.Name);
            }
        }

        var described = Described(methods.Invoke("rpc.describe", null));

        Assert.Equal(made.Order(StringComparer.Ordinal), described.Select(m => m["name"]!.GetValue<string>()));
        Assert.Contains("events.subscribe", made);
        Assert.Contains("mapcache.add", made);
        Assert.True(made.Count >= 35, $"{made.Count} methods");
    }

    [Fact]
    public void Every_description_has_a_summary_and_each_parameter_a_known_type_a_description_and_an_accepted_example_type()
    {
        var types = typeof(ControlParameterType).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToHashSet();
        foreach (var method in Described(LispPlaneMethods().Invoke("rpc.describe", null)))
        {
            string name = method["name"]!.GetValue<string>();
            Assert.False(string.IsNullOrWhiteSpace(method["summary"]?.GetValue<string>()), $"{name}: no summary");
            Assert.True(method["mutates"] is JsonValue, name);
            var parameters = method["params"]!.AsArray().Select(p => p!.AsObject()).ToList();
            Assert.Equal(parameters.Count, parameters.Select(p => p["name"]!.GetValue<string>()).Distinct().Count());
            foreach (var parameter in parameters)
            {
                string where = $"{name}.{parameter["name"]}";
                Assert.Contains(parameter["type"]!.GetValue<string>(), types);
                Assert.False(string.IsNullOrWhiteSpace(parameter["description"]?.GetValue<string>()), where);
                Assert.True(parameter["required"] is JsonValue, where);
                Assert.True(parameter["example"] is null || ExampleFits(parameter["type"]!.GetValue<string>(), parameter["example"]!), $"{where}: example {parameter["example"]?.ToJsonString()}");
            }
        }
    }

    [Fact]
    public void Mutating_methods_are_described_as_such()
    {
        var described = Described(LispPlaneMethods().Invoke("rpc.describe", null)).ToDictionary(m => m["name"]!.GetValue<string>(), m => m["mutates"]!.GetValue<bool>());

        // What docs/control.md says is journaled and what only reads.
        Assert.True(described["mapcache.add"]);
        Assert.True(described["vxlan.domain.remove"]);
        Assert.True(described["service.update"]);
        Assert.True(described["lisp.eid-moved"]);
        Assert.False(described["mapcache.list"]);
        Assert.False(described["state.dump"]);
        Assert.False(described["rpc.describe"]);
    }

    [Fact]
    public void A_parameter_a_method_does_not_describe_is_refused_naming_it_and_the_described_ones()
    {
        var methods = LispPlaneMethods();
        foreach (var method in methods.All)
        {
            var error = Assert.Throws<ControlRpcException>(() => methods.Invoke(method.Name, Params(new JsonObject { ["notDescribed"] = 1 })));
            Assert.Equal(JsonRpcErrorCodes.InvalidParams, error.Code);
            string expected = method.Parameters.Count == 0 ? "none" : string.Join(", ", method.Parameters.Select(p => p.Name));
            Assert.Equal($"params.notDescribed: unknown parameter; expected {expected}", error.Message);
        }
    }

    /// <summary>
    /// Each described parameter, given a value of the wrong type next to the examples of the others, is refused with
    /// its own name: the method reads it. Run on the LISP/GTP-U/TOF plane and on a VXLAN one, so every role's methods
    /// get past their role check.
    /// </summary>
    [Fact]
    public void Every_described_parameter_is_read_by_its_method()
    {
        var planes = new[] { LispPlaneMethods(), VxlanPlaneMethods() };
        int checkedParameters = 0;
        var unread = new List<string>();
        foreach (var method in planes[0].All.Where(m => m.Name != "events.subscribe"))
        {
            foreach (var parameter in method.Parameters)
            {
                var given = new JsonObject();
                foreach (var other in method.Parameters.Where(p => p.Required && p.Name != parameter.Name))
                {
                    given[other.Name] = other.Example?.DeepClone();
                }

                given[parameter.Name] = WrongValue(parameter.Type);
                string expected = $"params.{parameter.Name}";
                var messages = planes.Select(plane => Refusal(plane, method.Name, given)).ToList();
                checkedParameters++;
                if (!messages.Any(m => m?.StartsWith(expected, StringComparison.Ordinal) == true))
                {
                    unread.Add($"{method.Name} {given.ToJsonString()}: {string.Join(" | ", messages)}");
                }
            }
        }

        Assert.True(unread.Count == 0, "not refused naming the parameter:\n" + string.Join("\n", unread));
        Assert.True(checkedParameters >= 40, $"{checkedParameters} parameters");
    }

    [Fact]
    public void Rpc_describe_of_one_method_gives_only_it_and_an_unknown_one_is_refused()
    {
        var methods = LispPlaneMethods();

        var one = Described(methods.Invoke("rpc.describe", Params(new JsonObject { ["method"] = "neighbour.add" })));
        var error = Assert.Throws<ControlRpcException>(() => methods.Invoke("rpc.describe", Params(new JsonObject { ["method"] = "nosuch.method" })));

        Assert.Equal("neighbour.add", Assert.Single(one)["name"]!.GetValue<string>());
        Assert.Equal(["address", "mac", "port"], one[0]["params"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal("params.method: unknown method 'nosuch.method'", error.Message);
    }

    private static bool ExampleFits(string type, JsonNode example) => type switch
    {
        ControlParameterType.Integer => example.GetValueKind() == JsonValueKind.Number,
        ControlParameterType.Boolean => example.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        ControlParameterType.Object => example is JsonObject,
        ControlParameterType.ObjectArray => example is JsonArray a && a.All(i => i is JsonObject),
        ControlParameterType.StringArray => example is JsonArray a && a.All(i => i?.GetValueKind() == JsonValueKind.String),
        _ => example.GetValueKind() == JsonValueKind.String,
    };

    private static string? Refusal(ControlMethods methods, string method, JsonObject parameters)
    {
        try
        {
            methods.Invoke(method, Params(parameters));
            return null;
        }
        catch (ControlRpcException e)
        {
            return e.Message;
        }
    }

    private static List<JsonObject> Described(JsonNode? result) => result!["methods"]!.AsArray().Select(m => m!.AsObject()).ToList();

    private static JsonElement Params(JsonObject parameters) => JsonDocument.Parse(parameters.ToJsonString()).RootElement.Clone();

    /// <summary>The golden ITR configuration with a GTP-U tunnel (<see cref="ControlTestConfig"/>), and a TOF service table.</summary>
    private static ControlMethods LispPlaneMethods()
    {
        var plane = ForwardingPlaneBuilder.Build(ControlTestConfig.Config(), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        var methods = new ControlMethods(plane);
        methods.Context.TofServices = new TofServiceTable();
        return methods;
    }

    private static ControlMethods VxlanPlaneMethods()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(VxlanFrames.L2Config), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        return new ControlMethods(plane);
    }
}
