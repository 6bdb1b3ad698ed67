using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Nsh;

namespace Dataplane.Control.Socket;

/// <summary>
/// nsh.function.add / remove / list and nsh.path.add / remove / list: the service functions and paths of the NSH
/// service function forwarder, changed at run time. Each change is made to the "nsh" section and checked by the same
/// rules as the configuration file (an error names the request's field: <c>params.hops[1]</c>), then the tables are
/// rebuilt and published whole (<see cref="NshFeature.Update"/>), so workers switch paths between two batches. Adds
/// replace an entry of the same name / SPI; a path keeps its counters across a replace.
/// </summary>
public static class NshMethods
{
    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        yield return new ControlMethod("nsh.function.add", true, p => AddFunction(context, p))
        {
            Summary = "Add or replace an NSH service function, with the fields of an nsh.serviceFunctions entry.",
            Parameters =
            [
                ControlParameter.Mandatory("name", ControlParameterType.String, "1..64 of [A-Za-z0-9._-]", "fw2"),
                ControlParameter.Mandatory("transport", ControlParameterType.String, "vxlan-gpe or ethernet", "vxlan-gpe"),
                ControlParameter.Optional("address", ControlParameterType.Address, "vxlan-gpe: the function's address", "198.51.100.22"),
                ControlParameter.Optional("vni", ControlParameterType.Integer, "vxlan-gpe: the VNI, 0..16777215; default 0", 0),
                ControlParameter.Optional("mac", ControlParameterType.Mac, "ethernet: the function's MAC", null),
                ControlParameter.Optional("port", ControlParameterType.String, "ethernet: the port it is on, by name", null),
            ],
        };
        yield return new ControlMethod("nsh.function.remove", true, p =>
        {
            string name = p.RequiredString("name");
            var feature = Require(context, "nsh.function.remove");
            var config = feature.Config;
            if (!config.ServiceFunctions.Any(f => f.Name == name))
            {
                throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"{p.Field("name")}: no service function '{name}'");
            }

            var users = config.ServicePaths.Where(path => path.Hops.Contains(name)).Select(path => path.Spi).ToList();
            if (users.Count > 0)
            {
                throw ControlRpcException.InvalidParams(p.Field("name"), $"paths {string.Join(", ", users)} go through '{name}': remove or change them first");
            }

            var changed = config with { ServiceFunctions = [.. config.ServiceFunctions.Where(f => f.Name != name)] };
            return Change(feature, changed, p, "nsh.serviceFunctions", -1, new JsonObject { ["name"] = name, ["removed"] = true });
        })
        {
            Summary = "Remove an NSH service function that no path goes through.",
            Parameters = [ControlParameter.Mandatory("name", ControlParameterType.String, "the function's name", "fw2")],
        };
        yield return new ControlMethod("nsh.function.list", false, p =>
        {
            var feature = Require(context, "nsh.function.list");
            return () => Functions(feature);
        })
        {
            Summary = "The NSH service functions sorted by name, in the shape nsh.function.add takes.",
        };
        yield return new ControlMethod("nsh.path.add", true, p => AddPath(context, p))
        {
            Summary = "Add or replace an NSH service path, with the fields of an nsh.servicePaths entry; its counters carry over.",
            Parameters =
            [
                ControlParameter.Mandatory("spi", ControlParameterType.Integer, "the Service Path Identifier, 1..16777215", 40),
                ControlParameter.Mandatory("hops", ControlParameterType.StringArray, "function names in order, 1..255 (SI 255 is the first)", new JsonArray("fw1", "dpi1")),
                ControlParameter.Optional("end", ControlParameterType.String, "route (NSH removed, inner packet routed) or drop; default route", "route"),
                ControlParameter.Optional("instanceId", ControlParameterType.Integer, "the instance whose FIB routes the inner packet at the end; default 0", 0),
            ],
        };
        yield return new ControlMethod("nsh.path.remove", true, p =>
        {
            uint spi = (uint)p.RequiredInteger("spi", 1, 0xFF_FFFF);
            var feature = Require(context, "nsh.path.remove");
            var config = feature.Config;
            if (!config.ServicePaths.Any(path => path.Spi == spi))
            {
                throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"{p.Field("spi")}: no service path {spi}");
            }

            var changed = config with { ServicePaths = [.. config.ServicePaths.Where(path => path.Spi != spi)] };
            return Change(feature, changed, p, "nsh.servicePaths", -1, new JsonObject { ["spi"] = spi, ["removed"] = true });
        })
        {
            Summary = "Remove an NSH service path; its packets are then dropped as NshUnknownPath.",
            Parameters = [ControlParameter.Mandatory("spi", ControlParameterType.Integer, "the Service Path Identifier", 40)],
        };
        yield return new ControlMethod("nsh.path.list", false, p =>
        {
            var feature = Require(context, "nsh.path.list");
            return () => Paths(feature, withCounters: true);
        })
        {
            Summary = "The NSH service paths sorted by SPI, with packets and bytes sent to their functions and packets that reached their end.",
        };
    }

    /// <summary>The functions sorted by name, in the shape nsh.function.add takes (the state dump's "nshFunctions").</summary>
    public static JsonArray Functions(NshFeature? feature)
    {
        var list = new JsonArray();
        foreach (var function in (feature?.Config.ServiceFunctions ?? []).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var entry = new JsonObject { ["name"] = function.Name, ["transport"] = function.Transport };
            if (function.Transport == "ethernet")
            {
                entry["mac"] = function.Mac;
                entry["port"] = function.Port;
            }
            else
            {
                entry["address"] = function.Address;
                entry["vni"] = function.Vni;
            }

            list.Add(entry);
        }

        return list;
    }

    /// <summary>The paths sorted by SPI, in the shape nsh.path.add takes (the state dump's "nshPaths"), with counters when asked.</summary>
    public static JsonArray Paths(NshFeature? feature, bool withCounters)
    {
        var list = new JsonArray();
        if (feature is null)
        {
            return list;
        }

        var tables = feature.Tables;
        foreach (var path in feature.Config.ServicePaths.OrderBy(p => p.Spi))
        {
            var entry = new JsonObject
            {
                ["spi"] = path.Spi,
                ["hops"] = new JsonArray(path.Hops.Select(h => (JsonNode)h).ToArray()),
                ["end"] = path.End,
                ["instanceId"] = path.InstanceId,
            };
            if (withCounters && tables.Paths.TryGetValue(path.Spi, out var live))
            {
                entry["packets"] = live.Counters.Packets;
                entry["bytes"] = live.Counters.Bytes;
                entry["ended"] = live.Counters.Ended;
            }

            list.Add(entry);
        }

        return list;
    }

    /// <summary>
    /// Makes the functions and paths those of a state dump: the dump's functions first (paths name them), then its
    /// paths added and the others removed, then the functions it does not have (no path names them any more).
    /// </summary>
    public static void Reconcile(JsonElement dump, JsonObject current, Action<string, JsonElement> apply)
    {
        bool hasFunctions = dump.TryGetProperty("nshFunctions", out var functions) && functions.ValueKind == JsonValueKind.Array;
        bool hasPaths = dump.TryGetProperty("nshPaths", out var paths) && paths.ValueKind == JsonValueKind.Array;
        if (!hasFunctions && !hasPaths)
        {
            return;
        }

        var wantedFunctions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var function in hasFunctions ? functions.EnumerateArray() : default)
        {
            wantedFunctions.Add(function.TryGetProperty("name", out var name) ? name.ToString() : "");
            apply("nsh.function.add", function);
        }

        var wantedPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in hasPaths ? paths.EnumerateArray() : default)
        {
            wantedPaths.Add(path.TryGetProperty("spi", out var spi) ? spi.ToString() : "");
            apply("nsh.path.add", path);
        }

        foreach (var path in current["nshPaths"]?.AsArray() ?? [])
        {
            string spi = path!["spi"]!.ToString();
            if (!wantedPaths.Contains(spi))
            {
                apply("nsh.path.remove", JsonSerializer.SerializeToElement(new Dictionary<string, long> { ["spi"] = long.Parse(spi, System.Globalization.CultureInfo.InvariantCulture) }));
            }
        }

        foreach (var function in current["nshFunctions"]?.AsArray() ?? [])
        {
            string name = function!["name"]!.GetValue<string>();
            if (!wantedFunctions.Contains(name))
            {
                apply("nsh.function.remove", JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["name"] = name }));
            }
        }
    }

    private static Func<JsonNode?> AddFunction(ControlContext context, ParamReader p)
    {
        var function = new NshFunctionConfig
        {
            Name = p.RequiredString("name"),
            Transport = p.RequiredString("transport"),
            Address = p.OptionalString("address"),
            Vni = (uint)(p.OptionalInteger("vni", 0, 0xFF_FFFF) ?? 0),
            Mac = p.OptionalString("mac"),
            Port = p.OptionalString("port"),
        };
        var feature = Require(context, "nsh.function.add");
        var config = feature.Config;
        int index = config.ServiceFunctions.ToList().FindIndex(f => f.Name == function.Name);
        var functions = config.ServiceFunctions.ToList();
        if (index < 0)
        {
            index = functions.Count;
            functions.Add(function);
        }
        else
        {
            functions[index] = function;
        }

        bool replaced = index < config.ServiceFunctions.Count;
        return Change(feature, config with { ServiceFunctions = functions }, p, "nsh.serviceFunctions", index,
            new JsonObject { ["name"] = function.Name, ["replaced"] = replaced });
    }

    private static Func<JsonNode?> AddPath(ControlContext context, ParamReader p)
    {
        var path = new NshPathConfig
        {
            Spi = (uint)p.RequiredInteger("spi", 1, 0xFF_FFFF),
            Hops = p.OptionalStringArray("hops"),
            End = p.OptionalString("end") ?? "route",
            InstanceId = (uint)(p.OptionalInteger("instanceId", 0, uint.MaxValue) ?? 0),
        };
        var feature = Require(context, "nsh.path.add");
        var config = feature.Config;
        var paths = config.ServicePaths.ToList();
        int index = paths.FindIndex(existing => existing.Spi == path.Spi);
        bool replaced = index >= 0;
        if (replaced)
        {
            paths[index] = path;
        }
        else
        {
            index = paths.Count;
            paths.Add(path);
        }

        return Change(feature, config with { ServicePaths = paths }, p, "nsh.servicePaths", index, new JsonObject { ["spi"] = path.Spi, ["replaced"] = replaced });
    }

    /// <summary>
    /// Checks the changed section by building its tables now and returns the step that publishes them. An error about
    /// the entry the request made (<paramref name="section"/>[<paramref name="index"/>]) names the request's own field.
    /// </summary>
    private static Func<JsonNode?> Change(NshFeature feature, NshConfig changed, ParamReader p, string section, int index, JsonObject result)
    {
        try
        {
            feature.Check(changed);
        }
        catch (ConfigurationException e)
        {
            string entry = $"{section}[{index}]";
            string field = index >= 0 && e.Field.StartsWith(entry, StringComparison.Ordinal) ? p.Path + e.Field[entry.Length..] : $"{p.Path}: {e.Field}";
            if (index >= 0 && e.Field == section)
            {
                field = p.Path; // a limit of the whole list (4096 paths, 1024 functions)
            }

            throw ControlRpcException.InvalidParams(field, e.Problem);
        }

        return () =>
        {
            feature.Update(changed);
            return result;
        };
    }

    private static NshFeature Require(ControlContext context, string method) =>
        context.Plane.Feature<NshFeature>()
        ?? throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, $"{method}: this data plane has no NSH service chaining (no \"nsh\" section)");
}
