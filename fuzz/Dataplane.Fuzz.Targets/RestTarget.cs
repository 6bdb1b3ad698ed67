using System.Text.Json;
using Dataplane.Control.Rest;
using Dataplane.Control.Socket;

namespace Dataplane.Fuzz.Targets;

/// <summary>
/// The ToF REST API on a scratch plane. The first input byte picks the verb (low two bits) and the path (the rest),
/// the remaining bytes are the body, so one corpus covers every route. Whatever arrives: a JSON reply, and never a
/// 5xx (one would mean an exception escaped validation) except the documented 503 of GET /tunnel without a tunnel source.
/// </summary>
public sealed class RestTarget(ControlMethods methods) : IFuzzTarget
{
    /// <summary>The paths the selector byte picks from (valid, encoded, badly encoded, unknown).</summary>
    public static readonly string[] Paths = ["/service", "/service/web", "/service/10.80.0.1", "/service/%zz", "/tunnel", "/nowhere"];

    /// <summary>The verbs the selector byte picks from.</summary>
    public static readonly string[] Verbs = ["POST", "PUT", "GET", "DELETE"];

    private static readonly Dictionary<string, string> JsonHeaders = new() { ["content-type"] = "application/json" };

    private readonly TofRestApi api = new(methods);

    public RestTarget(string repositoryRoot)
        : this(ScratchControlPlane.Methods(repositoryRoot))
    {
    }

    public string Name => "rest";

    /// <summary>Requests answered 200 or 201 (the replay tests expect the seed bodies to be accepted).</summary>
    public long Accepted { get; private set; }

    /// <summary>The selector byte for a verb and a path (indexes into <see cref="Verbs"/> and <see cref="Paths"/>).</summary>
    public static byte Selector(int verb, int path) => (byte)((path * Verbs.Length) + verb);

    public void Execute(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        string verb = Verbs[input[0] % Verbs.Length];
        string path = Paths[(input[0] / Verbs.Length) % Paths.Length];
        var response = api.Handle(new RestRequest(verb, path, JsonHeaders, input[1..].ToArray()));
        FuzzInvariantException.Check(
            response.Status is >= 200 and < 500 || (response.Status == 503 && path == "/tunnel"),
            $"{verb} {path}: {response.Status} {response.Body}");
        using var body = JsonDocument.Parse(response.Body);
        if (response.Status is 200 or 201)
        {
            Accepted++;
        }
    }
}
